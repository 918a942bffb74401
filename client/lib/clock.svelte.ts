/** A shared wall clock that ticks on the second; one timer for the whole page. */
class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setTimeout> | undefined;

  start() {
    if (this.#timer !== undefined) return;
    const tick = () => {
      this.now = Date.now();
      // Re-aim at the next whole second each time so the display never drifts behind.
      this.#timer = setTimeout(tick, 1000 - (this.now % 1000) + 5);
    };
    tick();
  }
}

export const clock = new Clock();
