// The service's domain errors, one class per answer a client can act on.
// Routes and the service throw them; routes/errors.ts maps each class to its
// HTTP status in one place. Any other error is a bug: a logged 500.

/** Base class: an error the client caused, with the request field it concerns. */
export class DomainError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request field is wrong (400); the message names the field. */
export class ValidationError extends DomainError {}

/** No such record (404). */
export class NotFoundError extends DomainError {}

/** The record's state forbids the change (409). */
export class ConflictError extends DomainError {}

/** No room now; the same request may succeed later (429). */
export class CapacityError extends DomainError {}

/** The queue can't take the runs asked for. */
export class QueueFullError extends CapacityError {
  constructor(readonly max: number, waiting = max, asked = 1) {
    super(
      asked > 1
        ? `the queue can't take ${asked} runs (${waiting} of ${max} places taken); try again later`
        : `the queue is full (${max} runs waiting); try again later`,
    );
  }
}

/** Seeds added to an experiment that already has them. */
export class SeedsTakenError extends ConflictError {}

/** More runs than one request may create. */
export class GridTooLargeError extends ValidationError {}
