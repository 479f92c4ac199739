// One fresh process of the cluster benchmark: fits the small cached model `y ~ g` either
// locally with brm() (`local`) or by submitting it to a running brmsts worker (`cluster <url>`),
// printing `FIRST` at the first sampling progress event and `DONE` at the end.
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData } from "../tests/brm_shared.ts";

const [mode, url, seedArg] = process.argv.slice(2);
const seed = Number(seedArg ?? 1);
const spec = {
  formula: "y ~ g",
  data: groupData(40, seed),
  priors: GAUSSIAN_PRIORS,
  chains: 1,
  iter: 400,
  seed,
};
let first = false;
const mark = () => {
  if (!first) {
    first = true;
    process.stdout.write("FIRST\n");
  }
};
if (mode === "local") {
  const { brm, shutdown } = await import("../mod.ts");
  await brm({
    ...spec,
    progress: false,
    onProgress: (p) => p.kind === "sampling" && mark(),
  });
  await shutdown();
} else {
  const { connectCluster } = await import("../cluster/client.ts");
  const c = await connectCluster({ servers: url });
  const job = await c.submit(spec);
  for await (const e of job.events()) {
    if (e.type === "progress" && e.progress.kind === "sampling") mark();
  }
  await job.result();
  await c.close();
}
process.stdout.write("DONE\n");
process.exit(0);
