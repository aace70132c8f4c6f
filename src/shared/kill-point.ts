// A test hook for crash tests: FEEDLOOM_KILL_AT="<point>:<n>" makes the process kill itself
// (SIGKILL, as kill -9 does) the n-th time it reaches the named point, so a test can stop a pass
// exactly between two steps rather than at whatever a timer happens to hit. Unset, it is one
// comparison per call.
//   stored    a batch of entries has been committed
//   written   a file's bytes are in its temporary file, not yet renamed over the old file
//   renamed   a file is in place
//   recorded  a pass's publish is recorded, its compressed forms not yet made
const [wantedPoint, wantedCount] = (process.env.FEEDLOOM_KILL_AT ?? '').split(':');
const killAt = wantedPoint && Number(wantedCount) > 0 ? { point: wantedPoint, count: Number(wantedCount) } : undefined;
let reached = 0;

export function killPoint(point: 'stored' | 'written' | 'renamed' | 'recorded'): void {
  if (killAt?.point !== point) return;
  reached++;
  if (reached === killAt.count) process.kill(process.pid, 'SIGKILL');
}
