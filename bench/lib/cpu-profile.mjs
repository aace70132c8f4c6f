// Reading V8 .cpuprofile files (`node --cpu-prof`): every sample with the time it stands for and
// the call frames on its stack, and a few tallies the reports build from them.
import { readFileSync } from 'node:fs';

/**
 * Calls `visit(frame, us, stack)` for every sample of the profile in `file`: the sampled call
 * frame, the microseconds up to the next sample (DevTools' convention), and a function giving the
 * frames on the stack from the sampled one to the root.
 */
export function forEachSample(file, visit) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const stack = () => {
      const frames = [];
      for (let at = id; at !== undefined; at = parents.get(at)) frames.push(nodes.get(at).callFrame);
      return frames;
    };
    visit(nodes.get(id).callFrame, profile.timeDeltas[i + 1] ?? 0, stack);
  }
}

export function addTo(tally, key, amount) {
  tally.set(key, (tally.get(key) ?? 0) + amount);
}

/** Each key at most once: time on a stack counts once per function however deep the recursion. */
export function addOncePerKey(tally, keys, amount) {
  for (const key of new Set(keys)) addTo(tally, key, amount);
}

/** The `top` largest entries of a tally, largest first. */
export function largest(tally, top, keep = () => true) {
  return [...tally].filter(([key]) => keep(key)).sort((a, b) => b[1] - a[1]).slice(0, top);
}
