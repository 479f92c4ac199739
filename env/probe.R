# What status() asks the worker (env/probe.ts): environment, Boost, package versions on disk.
local({
  ver <- function(p) {
    d <- find.package(p, lib.loc = .libPaths(), quiet = TRUE)
    if (length(d)) as.character(packageDescription(p, lib.loc = dirname(d[1]))$Version)
    else NA_character_
  }
  bh <- system.file("include", "boost", package = "BH")
  boost <- if (nzchar(bh)) dirname(bh) else
    if (dir.exists("/usr/include/boost")) "/usr/include" else NA_character_
  env <- Sys.getenv("BRMSTS_ENVIRONMENT", NA_character_)
  list(environment = if (identical(env, "")) NA_character_ else env, boost = boost,
       brms = ver("brms"), rstan = ver("rstan"), cmdstanr = ver("cmdstanr"),
       libPaths = I(.libPaths()), rBin = R.home("bin"))
})
