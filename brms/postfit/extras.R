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

# brms's own update.brmsfit(), with one change: the brm() call it makes to recompile is caught,
# and its arguments are prepared for brm()'s compiled-model cache (brmsts_prepare in sampling.R)
# instead, so that the model is compiled once, cached on disk and keyed as brm() keys it. When
# brms reuses the compiled model, its brm() call runs as in brms.
brmsts_x_update_fn <- function() {
  upd <- utils::getFromNamespace("update.brmsfit", "brms")
  env <- new.env(parent = environment(upd))
  env$brm <- function(...) {
    args <- list(...)
    if (!identical(args$fit, NA)) return(brms::do_call(brms::brm, args))
    args$fit <- NULL
    structure(list(args = args, data = args$data), class = "brmsts_recompile")
  }
  environment(upd) <- env
  upd
}

brmsts_x_update <- function(fit, formula = NULL, newdata = NULL, data_name = NULL,
                            recompile = NULL, ...) {
  a <- c(list(fit), list(...))
  if (!is.null(formula)) a$formula. <- formula
  if (!is.null(newdata)) a$newdata <- newdata
  if (!is.null(recompile)) a$recompile <- recompile
  out <- brms::do_call(brmsts_x_update_fn(), a)
  # summary() shows "Data: <name>": the user's name, never do.call's internal one.
  name <- if (!is.null(data_name)) data_name else attr(fit$data, "data_name")
  if (inherits(out, "brmsts_recompile")) {
    # brm()'s helpers (installed before this call; found by name, whatever the attach order).
    prepare <- get("brmsts_prepare", envir = as.environment("brmsts:brm"))
    or <- function(a, b) if (is.null(a)) b else a
    return(list(recompile = TRUE, prep = brms::do_call(prepare, out$args),
                chains = or(out$args$chains, 4L), iter = or(out$args$iter, 2000L),
                data_name = or(name, "data")))
  }
  attr(out$data, "data_name") <- name
  list(recompile = FALSE, fit = out, ndraws = posterior::ndraws(out),
       mode = if (inherits(out$fit, "stanfit")) out$fit@mode else NULL)
}

# brms's expose_functions(); with cache_dir, Rcpp compiles into that directory and reuses the
# shared library there for the same code, also in later sessions. Rcpp writes each call's code
# to a new file there: those not kept by a build are removed again.
brmsts_x_expose <- function(fit, vectorize, cache_dir = NULL) {
  before <- ls(globalenv())
  if (is.null(cache_dir)) {
    brms::expose_functions(fit, vectorize = vectorize, env = globalenv())
  } else {
    dir.create(cache_dir, recursive = TRUE, showWarnings = FALSE)
    platform <- function() list.files(cache_dir, pattern = "^sourceCpp-", full.names = TRUE)
    files <- function() list.files(platform(), pattern = "[.]cpp$", full.names = TRUE)
    old <- files()
    on.exit({
      kept <- basename(list.files(platform(), pattern = "[.]cpp$", recursive = TRUE))
      kept <- kept[duplicated(kept)]
      stray <- setdiff(files(), old)
      unlink(stray[!basename(stray) %in% kept])
    }, add = TRUE)
    brms::expose_functions(fit, vectorize = vectorize, env = globalenv(), cacheDir = cache_dir)
  }
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
