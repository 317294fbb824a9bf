import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being answered, for log lines written while answering it. */
export const requestContext = new AsyncLocalStorage<{ readonly id: string }>();
