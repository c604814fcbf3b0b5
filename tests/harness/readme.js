// What the tests read out of the README, so that the commands it shows are the
// commands that are tested: the `jq` filters of "Following a deployed worker's
// logs".

import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./project.js";

const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

/**
 * The README's two `jq` filters for `wrangler tail --format json`: `summaries`
 * (the `-c` one) and `oneRun` (the `-r` one, for run `96b1e2a0`).
 */
export const README_JQ_FILTERS = (() => {
  const section = README.split("## Following a deployed worker's logs")[1]?.split("\n## ")[0] ?? "";
  const filter = (flag) => section.match(new RegExp(`\\| jq ${flag} '([^']+)'`))?.[1];
  const filters = { summaries: filter("-c"), oneRun: filter("-r") };
  if (filters.summaries === undefined || filters.oneRun === undefined) {
    throw new Error("the README's tail section has lost its jq filters");
  }
  return filters;
})();
