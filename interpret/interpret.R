# R side of brmsts's interpret/ folder: installed once per worker session into the attached
# environment "brmsts:interpret". Every value comes from brms itself (hypothesis,
# posterior_epred, posterior_linpred, posterior_predict); these helpers only reshape results
# into plain vectors and matrices that the codec carries as typed data.

brmsts_ip_check <- function(fit) {
  if (!inherits(fit, "brmsfit")) {
    stop("expected a brmsfit, got an object of class '", paste(class(fit), collapse = "/"),
         "'", call. = FALSE)
  }
  fit
}

# The model's data (fit$data), the number of draws and whether the model is multivariate.
brmsts_ip_info <- function(fit) {
  brmsts_ip_check(fit)
  d <- fit$data
  rownames(d) <- NULL
  for (cn in names(d)) {
    a <- attributes(d[[cn]])
    # Keep plain vectors and factors; drop extra attributes (e.g. scaled columns).
    if (!is.factor(d[[cn]]) && !is.matrix(d[[cn]]) && !is.null(a)) {
      attributes(d[[cn]]) <- NULL
    }
  }
  list(
    data = d,
    ndraws = brms::ndraws(fit),
    mv = inherits(fit$formula, "mvbrmsformula")
  )
}

# Draws × rows matrix of type "response" (posterior_epred), "link" (posterior_linpred) or
# "prediction" (posterior_predict) for newdata, as its column-major data without the dim
# attribute: a plain double vector travels by one memcpy, where a matrix would be transposed to
# C order on the way and back again by the reducer.
brmsts_ip_draws <- function(fit, newdata, type, args = list(), gc = FALSE) {
  brmsts_ip_check(fit)
  # Collect the previous chunk's garbage first, so that R's footprint stays near one chunk.
  if (isTRUE(gc)) invisible(base::gc(verbose = FALSE, full = FALSE))
  fn <- switch(type, response = brms::posterior_epred, link = brms::posterior_linpred,
               prediction = brms::posterior_predict,
               stop("unknown type '", type, "'", call. = FALSE))
  m <- brms::do_call(fn, c(list(fit, newdata = newdata), args))
  if (length(dim(m)) != 2L) {
    stop("the predictions have ", length(dim(m)), " dimensions (a multivariate or ",
         "categorical model): pass 'resp' to choose one response", call. = FALSE)
  }
  storage.mode(m) <- "double"
  attributes(m) <- NULL
  m
}

# RNG state across the chunks of one call: set the seed once, restore the user's state after.
brmsts_ip_state <- new.env(parent = emptyenv())

brmsts_ip_seed_begin <- function(seed) {
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  assign("had", had, envir = brmsts_ip_state)
  assign("old", if (had) get(".Random.seed", envir = globalenv()), envir = brmsts_ip_state)
  set.seed(seed)
  invisible(NULL)
}

brmsts_ip_seed_end <- function() {
  if (isTRUE(get0("had", envir = brmsts_ip_state))) {
    assign(".Random.seed", get("old", envir = brmsts_ip_state), envir = globalenv())
  } else if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) {
    rm(".Random.seed", envir = globalenv())
  }
  assign("had", NULL, envir = brmsts_ip_state)
  invisible(NULL)
}

# brms::hypothesis(): its table as columns and the draws of each hypothesis.
brmsts_ip_hypothesis <- function(fit, hypothesis, args = list()) {
  brmsts_ip_check(fit)
  h <- brms::do_call(brms::hypothesis, c(list(fit, hypothesis), args))
  tab <- h$hypothesis
  col <- function(n) if (n %in% names(tab)) as.double(tab[[n]]) else rep(NA_real_, nrow(tab))
  list(
    hypothesis = as.list(as.character(tab$Hypothesis)),
    group = if ("Group" %in% names(tab)) as.list(as.character(tab$Group)) else NULL,
    estimate = col("Estimate"),
    est_error = col("Est.Error"),
    ci_lower = col("CI.Lower"),
    ci_upper = col("CI.Upper"),
    evid_ratio = col("Evid.Ratio"),
    post_prob = col("Post.Prob"),
    star = as.list(as.character(tab$Star)),
    alpha = h$alpha,
    draws = lapply(unname(as.list(h$samples)), as.double)
  )
}
