/**
 * The reference example: starts the R worker and loads brms. (The full epilepsy fit arrives
 * with `brm()`.)
 *
 * Run: `npm run example`.
 *
 * @module
 */
import { evalR, shutdown, status } from "../mod.ts";

const s = await status();
console.log(`R: ${s.rVersion} (R_HOME ${s.rHome}), worker pid ${s.pid} on ${s.runtime}`);
await evalR("suppressPackageStartupMessages(library(brms))");
console.log(`brms ${s.brms} and rstan ${s.rstan} loaded; fit example arrives with brm()`);
await shutdown();
