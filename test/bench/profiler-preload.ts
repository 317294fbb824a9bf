/*
 * Preloaded into a benchmarked server (node -r, built to JavaScript by the bench) when
 * BENCH_PROFILE is set: the first SIGWINCH (a signal Nest's shutdown hooks leave alone) starts
 * V8's CPU profiler, the second writes the profile (a .cpuprofile, readable by Chrome DevTools
 * and by profile-summary.ts) to PANTRY_PROFILE_OUT. Start-up and warm-up stay out of the
 * profile, unlike `node --cpu-prof`, which also needs a clean exit.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const session = new Session();
session.connect();
let running = false;
process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 100 }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.PANTRY_PROFILE_OUT!, JSON.stringify(result.profile));
  });
});
