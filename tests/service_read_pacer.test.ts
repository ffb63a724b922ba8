// service/read_pacer.ts: a burst served at once, then one read per gap, and a bounded wait.
import { ReadPacer } from "../service/read_pacer.ts";
import { assertEquals } from "./util/assert.ts";

Deno.test("read pacer: a burst at once, then reads wait their slot, and past maxWaiting are refused", async () => {
  // A frozen clock: only the pacer's own schedule decides. 1000/s is a 1 ms gap.
  const pacer = new ReadPacer(1000, 2, 1, () => 0);
  const order: string[] = [];
  const take = (name: string) => pacer.take().then((ok) => order.push(`${name}:${ok}`));
  // Slots −2, −1 and 0 ms are due now; the fourth read's slot is 1 ms ahead, so it waits,
  // and with one already waiting the fifth is refused at once.
  const all = [take("a"), take("b"), take("c"), take("d"), take("e")];
  await Promise.all(all);
  assertEquals(order, ["a:true", "b:true", "c:true", "e:false", "d:true"]);
});
