/** Where a command writes: the process's streams, or a buffer in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The process environment the command reads (PANTRY_CONFIG_DIR, PANTRY_ADMIN_TOKEN…). */
  readonly env: Record<string, string | undefined>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

/** Ends a command with an exit status (thrown from deep inside; the program catches it). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
    this.name = CliExit.name;
  }
}
