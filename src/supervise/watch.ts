/**
 * Every wait of the runner is "until done, timeout, or a watched process ends". A Watch turns the
 * end of any watched process into a rejection that a wait races against; it is cancelled when the
 * wait is over, so a process that ends later (say, one hydra stops on purpose) rejects nothing.
 */
export interface Watched {
  /** Resolves with a description of how the process ended. */
  ended: Promise<string>;
  /** The error to raise when it ends during `phase`. */
  error(how: string, phase: string): Error;
}

export async function watchWhile<T>(watched: readonly Watched[], phase: string, work: Promise<T>): Promise<T> {
  let active = true;
  const lost = new Promise<never>((_, reject) => {
    for (const w of watched) {
      void w.ended.then((how) => {
        if (active) reject(w.error(how, phase));
      });
    }
  });
  // Nobody may be listening when the work finishes first.
  lost.catch(() => undefined);
  try {
    return await Promise.race([work, lost]);
  } finally {
    active = false;
  }
}
