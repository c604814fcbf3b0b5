// What the benchmarks share: candidates measured in alternating rounds, the
// median and spread of what they gave, and workerd's CPU time from /proc.

import { readFile } from "node:fs/promises";

export const round = (value, digits = 2) => Number(value.toFixed(digits));
export const ratio = (ours, theirs) => round(ours / theirs, 3);
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const spread = (values) => [round(Math.min(...values), 3), round(Math.max(...values), 3)];

/**
 * Runs `measure(candidate)` for every candidate in `rounds` rounds, the order
 * reversed every other round; returns each candidate's list of results.
 */
export async function alternating(candidates, rounds, measure) {
  const results = Object.fromEntries(candidates.map((candidate) => [candidate, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? candidates : [...candidates].reverse();
    for (const candidate of order) results[candidate].push(await measure(candidate));
  }
  return results;
}

/** CPU time (user + system) of a process, in ms. */
export async function cpuMs(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat; here counted after "comm".
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
