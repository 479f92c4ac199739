# The R side of brm(): backend checks, the compiled-model cache, sampling (also in forked
# chains with progress), installed once per worker session as `brmsts:brm` (brms/_r_helpers.ts).
brmsts_or <- function(a, b) if (is.null(a)) b else a
brmsts_models <- new.env(parent = emptyenv())

brmsts_facts <- function(backend) {
  v <- function(p) if (nzchar(system.file(package = p))) as.character(utils::packageVersion(p)) else ""
  out <- c(R = R.version.string, platform = R.version$platform, brms = v("brms"),
           rstan = v("rstan"), StanHeaders = v("StanHeaders"), Rcpp = v("Rcpp"),
           RcppEigen = v("RcppEigen"), backend = backend)
  if (identical(backend, "cmdstanr")) {
    out <- c(out, cmdstanr = v("cmdstanr"),
             cmdstan = tryCatch(as.character(cmdstanr::cmdstan_version()), error = function(e) ""))
  }
  as.list(out)
}

# "" when the backend can be used, else the reason.
brmsts_backend_problem <- function(backend) {
  if (!identical(backend, "cmdstanr")) return("")
  if (!requireNamespace("cmdstanr", quietly = TRUE)) return("the R package cmdstanr is not installed")
  v <- tryCatch(suppressWarnings(suppressMessages(cmdstanr::cmdstan_version())),
                error = function(e) NULL)
  if (is.null(v)) return("cmdstanr is installed but CmdStan is not (run cmdstanr::install_cmdstan())")
  ""
}

# Sets the factor contrasts brmsts sends as `brmsts_contrasts` (column name -> a contrast
# function's name or a matrix) on `args$data`, as `contrasts(d$x) <- value` does.
brmsts_apply_contrasts <- function(args) {
  cs <- args$brmsts_contrasts
  args$brmsts_contrasts <- NULL
  for (nm in names(cs)) stats::contrasts(args$data[[nm]]) <- cs[[nm]]
  args
}

# brms::make_stancode or brms::make_standata (`what`) on data with factor contrasts.
brmsts_make <- function(what, ...) {
  args <- list(...)
  if (!is.null(args$data) && !is.data.frame(args$data)) {
    args$data <- as.data.frame(args$data, stringsAsFactors = FALSE, optional = TRUE)
  }
  fun <- switch(what, stancode = brms::make_stancode, standata = brms::make_standata)
  brms::do_call(fun, brmsts_apply_contrasts(args))
}

brmsts_prepare <- function(...) {
  args <- list(...)
  backend <- brmsts_or(args$backend, getOption("brms.backend", "rstan"))
  problem <- brmsts_backend_problem(backend)
  if (nzchar(problem)) return(list(backend = backend, problem = problem))
  if (!is.null(args$data) && !is.data.frame(args$data)) {
    args$data <- as.data.frame(args$data, stringsAsFactors = FALSE, optional = TRUE)
  }
  args <- brmsts_apply_contrasts(args)
  x <- brms::do_call(brms::brm, c(args, list(empty = TRUE)))
  spec <- new.env(parent = emptyenv())
  spec$args <- args
  spec$x <- x
  backend <- brmsts_or(x$backend, "rstan")
  list(spec = spec, code = as.character(x$model), backend = backend,
       facts = brmsts_facts(backend), problem = "")
}

brmsts_invalid <- function(entry, key, code) {
  if (!is.list(entry) || !identical(entry$format, 1L)) return("not a brmsts cache entry")
  if (!identical(entry$key, key)) return("key mismatch")
  if (!identical(entry$code, code)) return("Stan code mismatch")
  fit <- entry$fit
  if (!methods::is(fit, "stanfit")) return("no stanfit in the entry")
  tryCatch({
    if (identical(entry$backend, "rstan")) {
      sm <- rstan::get_stanmodel(fit)
      ns <- asNamespace("rstan")
      if (exists("is_sm_valid", ns) && !get("is_sm_valid", ns)(sm)) {
        stop("the compiled model was built on another system")
      }
      # Loads the shared object now, so that a broken one is rebuilt instead of failing later.
      if (exists("grab_cxxfun", ns)) get("grab_cxxfun", ns)(sm@dso)
    } else if (identical(entry$backend, "cmdstanr")) {
      exe <- attributes(fit)$CmdStanModel$exe_file()
      if (!length(exe) || !file.exists(exe)) stop("the CmdStan executable is missing")
    }
    ""
  }, error = function(e) conditionMessage(e))
}

# "memory", "disk", "missing", or "invalid: <reason>".
brmsts_load <- function(key, path, code) {
  if (!is.null(brmsts_models[[key]])) return("memory")
  if (is.null(path) || !file.exists(path)) return("missing")
  entry <- tryCatch(readRDS(path), error = function(e) e)
  if (inherits(entry, "error")) return(paste0("invalid: unreadable (", conditionMessage(entry), ")"))
  why <- brmsts_invalid(entry, key, code)
  if (nzchar(why)) return(paste0("invalid: ", why))
  assign(key, entry$fit, envir = brmsts_models)
  "disk"
}

brmsts_compile <- function(spec, key, tmp, stan_dir, cc = NULL) {
  args <- spec$args
  args$chains <- 0
  args$fit <- NULL
  if (identical(spec$x$backend, "cmdstanr") && !is.null(stan_dir)) {
    # Keep cmdstanr's executable next to the cache, so that it outlives this session.
    dir.create(stan_dir, recursive = TRUE, showWarnings = FALSE)
    old <- options(cmdstanr_write_stan_file_dir = stan_dir)
    on.exit(options(old), add = TRUE)
  }
  # cc: brmsts's compiler settings (see compiler.R); the draws are the same either way.
  built <- if (identical(spec$x$backend, "cmdstanr")) {
    list(value = brms::do_call(brms::brm, args), pch = "off", lto = "off")
  } else {
    brmsts_cc_with(cc, function() brms::do_call(brms::brm, args))
  }
  base <- built$value
  fit <- base$fit
  if (!is.null(tmp)) {
    entry <- list(format = 1L, key = key, code = as.character(spec$x$model),
                  backend = brmsts_or(base$backend, "rstan"), fit = fit)
    # A cache that cannot be written (read-only, disk full) costs reuse, never the fit.
    tryCatch(saveRDS(entry, tmp, compress = FALSE), error = function(e) {
      unlink(tmp)
      warning("brmsts: the compiled model could not be cached: ", conditionMessage(e),
              call. = FALSE)
    })
  }
  assign(key, fit, envir = brmsts_models)
  list(pch = built$pch, lto = built$lto)
}

# In a forked child: send console output through a line-buffering filter, so that lines of
# concurrent chains reach the shared fd 1 whole (rstan writes "Chain ", "1", ": ", msg, "\n"
# as separate pieces, which interleave between children otherwise).
brmsts_line_sink <- function() {
  cmd <- switch(Sys.info()[["sysname"]], Linux = "sed -u ''", Darwin = "sed -l ''", "")
  if (!nzchar(cmd) || !nzchar(Sys.which("sed"))) return(invisible(FALSE))
  con <- tryCatch(pipe(cmd, open = "w"), error = function(e) NULL)
  if (!is.null(con)) sink(con)
  invisible(!is.null(con))
}

# Runs thunk() with rstan's forked chains (cores > 1) writing whole lines: every worker
# session already sinks a forked child's output and messages into fds 1/2 (the raw log
# stream); here each child's output also passes a line-buffering filter, and the parent's
# own output goes to fd 1 alongside them.
brmsts_forksafe <- function(thunk) {
  out <- file("/dev/stdout", open = "w", raw = TRUE)
  depth <- sink.number()
  sink(out)
  ns <- asNamespace("parallel")
  fork <- get("mcfork", envir = ns)
  set_fork <- function(f) {
    unlockBinding("mcfork", ns)
    assign("mcfork", f, envir = ns)
    lockBinding("mcfork", ns)
  }
  set_fork(function(...) {
    f <- fork(...)
    if (inherits(f, "masterProcess")) try(brmsts_line_sink(), silent = TRUE)
    f
  })
  on.exit({
    set_fork(fork)
    while (sink.number() > depth) sink()
    close(out)
  }, add = TRUE)
  thunk()
}

brmsts_run <- function(args) {
  chains <- brmsts_or(args$chains, 4)
  cores <- brmsts_or(args$cores, getOption("mc.cores", 1L))
  algorithm <- brmsts_or(args$algorithm, getOption("brms.algorithm", "sampling"))
  backend <- if (brms::is.brmsfit(args$fit)) args$fit$backend else
    brmsts_or(args$backend, getOption("brms.backend", "rstan"))
  fork <- .Platform$OS.type == "unix" && identical(backend, "rstan") &&
    algorithm %in% c("sampling", "fixed_param") && chains > 1 && cores > 1 &&
    !isTRUE(args$future)
  data_name <- brmsts_or(args$brmsts_data_name, "data")
  args$brmsts_data_name <- NULL
  run <- function() brms::do_call(brms::brm, args)
  fit <- if (fork) brmsts_forksafe(run) else run()
  # summary() shows "Data: <data_name>", not do_call's internal ".x2".
  if (brms::is.brmsfit(fit)) attr(fit$data, "data_name") <- data_name
  mode <- tryCatch(fit$fit@mode, error = function(e) NA_integer_)
  ndraws <- tryCatch(brms::ndraws(fit), error = function(e) 0)
  list(fit = fit, mode = mode, ndraws = ndraws, algorithm = brmsts_or(fit$algorithm, algorithm))
}

brmsts_sample <- function(spec, key, extra) {
  x <- spec$x
  x$fit <- get(key, envir = brmsts_models)
  args <- spec$args
  args[names(extra)] <- extra
  args$fit <- x
  brmsts_run(args)
}

brmsts_direct <- function(spec, extra) {
  args <- spec$args
  args[names(extra)] <- extra
  brmsts_run(args)
}
