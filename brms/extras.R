# R side of brms/extras.ts: thin wrappers over brms, each returning plain values.
# Installed once per worker session into the attached environment "brmsts:extras".

brmsts_x_seeded <- function(seed, expr) {
  if (is.null(seed)) return(expr)
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (had) old <- get(".Random.seed", envir = globalenv())
  on.exit(if (had) assign(".Random.seed", old, envir = globalenv())
          else rm(".Random.seed", envir = globalenv()))
  set.seed(seed)
  force(expr)
}

brmsts_x_matrix <- function(m) {
  list(rows = as.character(rownames(m)), cols = as.character(colnames(m)),
       values = as.double(m), nrow = nrow(m))
}

brmsts_x_r2 <- function(fit, what, args, seed) {
  fn <- switch(what, bayes = brms::bayes_R2, loo = brms::loo_R2)
  brmsts_x_matrix(brmsts_x_seeded(seed, do.call(fn, c(list(fit), args))))
}

brmsts_x_bridge <- function(fit, args, seed) {
  out <- brmsts_x_seeded(seed, do.call(brms::bridge_sampler, c(list(fit), args)))
  list(logml = as.double(out$logml), niter = as.integer(out$niter),
       method = as.character(out$method), repetitions = as.integer(out$repetitions),
       handle = out)
}

brmsts_x_bf <- function(x1, x2, args, seed) {
  out <- brmsts_x_seeded(seed, do.call(brms::bayes_factor, c(list(x1, x2), args)))
  list(bf = as.double(out$bf), log = isTRUE(out$log))
}

brmsts_x_update <- function(fit, formula = NULL, newdata = NULL, data_name = NULL, ...) {
  a <- c(list(fit), list(...))
  if (!is.null(formula)) a$formula. <- formula
  if (!is.null(newdata)) a$newdata <- newdata
  out <- do.call(stats::update, a)
  # summary() shows "Data: <name>": the user's name, never do.call's internal one.
  attr(out$data, "data_name") <- if (!is.null(data_name)) data_name else attr(fit$data, "data_name")
  list(fit = out, ndraws = posterior::ndraws(out),
       mode = if (inherits(out$fit, "stanfit")) out$fit@mode else NULL)
}

brmsts_x_expose <- function(fit, vectorize) {
  before <- ls(globalenv())
  brms::expose_functions(fit, vectorize = vectorize, env = globalenv())
  setdiff(ls(globalenv()), before)
}

brmsts_x_multiple <- function(fit, data, seed, ...) {
  # brms's own brm_multiple() over the data sets, reusing fit's compiled model; seed set before
  # (future's per-fit RNG streams derive from it), R's RNG state restored afterwards.
  out <- brmsts_x_seeded(seed, brms::brm_multiple(data = data, fit = fit, ...))
  attr(out$data, "data_name") <- "data"
  list(fit = out, rhats = if (is.null(out$rhats)) NULL else out$rhats,
       ndata = if (inherits(data, "mids")) data$m else length(data))
}

brmsts_x_first <- function(data) {
  if (inherits(data, "mids")) mice::complete(data, 1) else data[[1]]
}
