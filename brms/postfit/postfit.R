# The R side of the post-fit functions (summary, predictions, loo, ...), installed once per
# worker session as `brmsts:postfit` (brms/_r_helpers.ts).
# Helpers of brm() (brmsts:brm), looked up explicitly so that attach order never matters.
brmsts_pf_bt <- function(name) get(name, envir = as.environment("brmsts:brm"))

brmsts_pf_check <- function(fit) {
  if (!brms::is.brmsfit(fit)) {
    stop("expected a brmsfit, got an object of class '", paste(class(fit), collapse = "/"),
         "'", call. = FALSE)
  }
  fit
}

brmsts_pf_df <- function(d) {
  if (is.null(d) || is.data.frame(d)) return(d)
  as.data.frame(d, stringsAsFactors = FALSE, optional = TRUE)
}

# obs_id of new data: an obs_id column, else row names, else 0-based positions.
brmsts_pf_ids <- function(nd) {
  if ("obs_id" %in% names(nd)) {
    id <- nd$obs_id
    return(if (is.factor(id)) as.character(id) else id)
  }
  if (.row_names_info(nd) > 0L) return(rownames(nd))
  seq_len(nrow(nd)) - 1L
}

# obs_id of the data a fit was estimated on.
brmsts_pf_fit_ids <- function(fit) brmsts_pf_bt("brmsts_obs_id")(fit, NULL)

# The model's non-response columns of d, character columns as factors.
brmsts_pf_const <- function(fit, d, resp_vars) {
  cols <- setdiff(intersect(names(d), names(fit$data)), c(resp_vars, "obs_id"))
  out <- d[, cols, drop = FALSE]
  for (cn in cols) if (is.character(out[[cn]])) out[[cn]] <- factor(out[[cn]])
  rownames(out) <- NULL
  out
}

brmsts_pf_mat <- function(m) {
  d <- dim(m)
  extra <- if (length(d) >= 3L) dimnames(m)[[3L]] else NULL
  if (is.null(d)) d <- c(length(m), 1L)
  m <- array(as.double(m), dim = d)
  list(values = m, extra = if (is.null(extra)) NULL else as.list(extra))
}

# what: "predict", "epred", "linpred" or "log_lik".
brmsts_pf_predict <- function(fit, what, newdata = NULL, args = list(), seed = NULL,
                              ndraws = NULL, draw_ids = NULL, constant = FALSE) {
  brmsts_pf_check(fit)
  if (!is.null(seed)) {
    restore <- brmsts_pf_bt("brmsts_restore_seed")(seed)
    on.exit(restore(), add = TRUE)
  }
  draw_ids <- brms:::validate_draw_ids(fit, draw_ids, ndraws)
  rs <- brmsts_pf_bt("brmsts_responses")(fit)
  resp <- rs$names
  if (!is.null(args$resp)) resp <- resp[resp %in% args$resp]
  newdata <- brmsts_pf_df(newdata)
  fn <- switch(what, predict = brms::posterior_predict, epred = brms::posterior_epred,
               linpred = brms::posterior_linpred, log_lik = brms::log_lik,
               stop("unknown prediction '", what, "'"))
  run <- function(a) {
    brms::do_call(fn, c(list(fit, newdata = newdata, draw_ids = draw_ids), a))
  }
  one <- function(r) run(c(args[names(args) != "resp"], list(resp = r)))
  rescor <- isTRUE(fit$formula$rescor)
  if (!rs$mv) {
    mats <- list(run(args))
  } else if (identical(what, "log_lik")) {
    if (rescor) {
      mats <- list(run(args))
      resp <- paste(resp, collapse = "_")
    } else {
      mats <- lapply(resp, one)
    }
  } else {
    out <- run(args)
    d <- dim(out)
    if (length(resp) == 1L && length(d) == 2L) {
      mats <- list(out)
    } else if (length(d) == 3L && all(resp %in% dimnames(out)[[3L]])) {
      mats <- lapply(resp, function(r) array(out[, , r], dim = d[1:2]))
    } else {
      mats <- lapply(resp, one)
    }
  }
  ids <- if (is.null(newdata)) brmsts_pf_fit_ids(fit) else brmsts_pf_ids(newdata)
  nobs <- ncol(mats[[1L]])
  if (length(ids) != nobs) ids <- seq_len(nobs) - 1L
  const <- NULL
  if (isTRUE(constant)) {
    resp_vars <- unique(unlist(lapply(rs$lhs, all.vars)))
    const <- brmsts_pf_const(fit, if (is.null(newdata)) fit$data else newdata, resp_vars)
  }
  list(
    responses = as.list(resp),
    vars = lapply(mats, brmsts_pf_mat),
    obs_id = ids,
    chains = if (is.null(draw_ids)) brms::nchains(fit) else 1L,
    draw_ids = if (is.null(draw_ids)) NULL else as.integer(draw_ids) - 1L,
    constant = const
  )
}

brmsts_pf_table <- function(x) {
  if (is.null(x)) return(NULL)
  rn <- rownames(x)
  x <- as.data.frame(unclass(as.matrix(x)), stringsAsFactors = FALSE, optional = TRUE)
  rownames(x) <- rn
  x
}

brmsts_pf_tab_call <- function(fn, obj, args = list()) {
  brmsts_pf_table(brms::do_call(getExportedValue("brms", fn), c(list(obj), args)))
}

brmsts_pf_validate <- function(newdata, ...) {
  out <- brms::validate_newdata(brmsts_pf_df(newdata), ...)
  class(out) <- "data.frame"
  out
}

brmsts_pf_prior_df <- function(p) {
  p <- as.data.frame(unclass(p), stringsAsFactors = FALSE, optional = TRUE)
  rownames(p) <- NULL
  p
}

brmsts_pf_get_prior <- function(...) {
  args <- list(...)
  args$data <- brmsts_pf_df(args$data)
  # The factors' contrasts (as brm() and make_standata() set them), so that prior names follow
  # a contrasts matrix's column names (contr.treatment(4): income2, income3, income4).
  cs <- args$brmsts_contrasts
  args$brmsts_contrasts <- NULL
  for (nm in names(cs)) stats::contrasts(args$data[[nm]]) <- cs[[nm]]
  brmsts_pf_prior_df(brms::do_call(brms::get_prior, args))
}

brmsts_pf_prior_summary <- function(fit, args = list()) {
  brmsts_pf_check(fit)
  brmsts_pf_prior_df(brms::do_call(brms::prior_summary, c(list(fit), args)))
}

brmsts_pf_summary <- function(fit, args = list()) {
  brmsts_pf_check(fit)
  s <- brms::do_call(summary, c(list(fit), args))
  f <- s$formula
  trim <- function(x) sub("\\s+$", "", x)
  tab <- function(x) if (is.null(x) || !NROW(x)) NULL else brmsts_pf_table(x)
  prior <- s$prior
  has_prior <- !is.null(prior) && NROW(prior) > 0L
  list(
    formula = as.list(trim(utils::capture.output(print(f, wsp = 0)))),
    family = trim(brms:::summarise_families(f)),
    links = as.list(trim(strsplit(brms:::summarise_links(f, wsp = 0), "\n")[[1L]])),
    data_name = s$data_name,
    nobs = s$nobs,
    ngrps = lapply(s$ngrps, as.integer),
    algorithm = s$algorithm,
    sampler = if (is.null(s$sampler)) "" else s$sampler,
    chains = if (is.null(s$chains)) 0 else s$chains,
    iter = if (is.null(s$iter)) 0 else s$iter,
    warmup = if (is.null(s$warmup)) 0 else s$warmup,
    thin = if (is.null(s$thin)) 1 else s$thin,
    fixed = brmsts_pf_table(s$fixed),
    spec_pars = brmsts_pf_table(s$spec_pars),
    cor_pars = brmsts_pf_table(s$cor_pars),
    rescor_pars = tab(s$rescor_pars),
    random = lapply(s$random, brmsts_pf_table),
    splines = tab(s$splines),
    gp = tab(s$gp),
    mo = tab(s$mo),
    prior = if (has_prior) brmsts_pf_prior_df(prior) else NULL,
    prior_lines = if (has_prior) {
      as.list(brms:::.print_prior(brms:::prepare_print_prior(prior)))
    } else list()
  )
}

brmsts_pf_ranef <- function(fit, args = list()) {
  brmsts_pf_check(fit)
  r <- brms::do_call(brms::ranef, c(list(fit), args))
  if (isFALSE(args$summary)) return(lapply(r, function(a) array(as.double(a), dim(a),
                                                              dimnames(a))))
  lapply(r, function(a) {
    d <- dim(a)
    dn <- dimnames(a)
    out <- lapply(seq_len(d[3L]), function(k) {
      m <- matrix(a[, , k], nrow = d[1L], dimnames = dn[1:2])
      brmsts_pf_table(m)
    })
    names(out) <- dn[[3L]]
    out
  })
}

brmsts_pf_ce <- function(fit, args = list()) {
  brmsts_pf_check(fit)
  ce <- brms::do_call(brms::conditional_effects, c(list(fit), args))
  strip <- function(d) {
    d <- as.data.frame(d)
    keep <- attributes(d)[c("names", "row.names", "class")]
    attributes(d) <- keep
    class(d) <- "data.frame"
    d
  }
  lapply(unclass(ce), function(x) {
    pts <- attr(x, "points")
    list(data = strip(x), points = if (is.null(pts)) NULL else strip(pts),
         effects = as.list(attr(x, "effects")), response = attr(x, "response"))
  })
}

brmsts_pf_ic <- function(x) {
  est <- x$estimates
  pw <- x$pointwise
  list(
    class = as.list(class(x)),
    names = as.list(rownames(est)),
    estimate = as.double(est[, 1L]),
    se = as.double(est[, 2L]),
    pointwise = if (is.null(pw)) NULL else brmsts_pf_table(pw),
    pareto_k = if (is.null(x$diagnostics$pareto_k)) NULL else as.double(x$diagnostics$pareto_k),
    n_eff = if (is.null(x$diagnostics$n_eff)) NULL else as.double(x$diagnostics$n_eff),
    dims = as.integer(attr(x, "dims"))
  )
}

brmsts_pf_ic_fn <- function(criterion) {
  switch(criterion, loo = brms::loo, waic = brms::waic, kfold = brms::kfold,
         loo_subsample = brms::loo_subsample,
         stop("unknown criterion '", criterion, "' (use loo, waic, kfold or loo_subsample)",
              call. = FALSE))
}

brmsts_pf_criterion <- function(fit, criterion, args = list()) {
  brmsts_pf_check(fit)
  # Warnings name the model "fit", not do_call's internal ".x1".
  if (is.null(args$model_names) && criterion != "loo_subsample") args$model_names <- "fit"
  res <- brms::do_call(brmsts_pf_ic_fn(criterion), c(list(fit), args))
  list(obj = res, value = brmsts_pf_ic(res), obs_id = brmsts_pf_fit_ids(fit))
}

brmsts_pf_compare <- function(objs, names, criterion = "loo") {
  objs <- Map(function(o, name) {
    if (!brms::is.brmsfit(o)) return(o)
    ic <- o$criteria[[criterion]]
    # Warnings name the model by the user's key, not do_call's internal ".x1".
    if (is.null(ic)) ic <- brms::do_call(brmsts_pf_ic_fn(criterion), list(o, model_names = name))
    ic
  }, objs, unlist(names))
  names(objs) <- unlist(names)
  m <- loo::loo_compare(objs)
  list(models = as.list(rownames(m)), table = brmsts_pf_table(m))
}

brmsts_pf_add <- function(fit, criterion, args = list()) {
  brmsts_pf_check(fit)
  fit <- brms::do_call(brms::add_criterion, c(list(fit, criterion = unlist(criterion)), args))
  crit <- lapply(fit$criteria, function(x) {
    if (inherits(x, "loo")) list(ic = brmsts_pf_ic(x), obj = x) else list(value = unclass(x))
  })
  list(fit = fit, criteria = crit, obs_id = brmsts_pf_fit_ids(fit))
}

brmsts_pf_read_raw <- function(path) {
  if (!file.exists(path)) stop("no such file: '", path, "'", call. = FALSE)
  readRDS(path)
}

brmsts_pf_read_fit <- function(path) {
  x <- brmsts_pf_read_raw(path)
  if (!brms::is.brmsfit(x)) {
    stop("'", path, "' does not hold a brmsfit but an object of class '",
         paste(class(x), collapse = "/"), "' (use readRdsRaw() for other objects)",
         call. = FALSE)
  }
  brms::restructure(x)
}
