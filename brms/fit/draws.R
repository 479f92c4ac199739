# Extraction of a brmsfit's draws for InferenceData (brmsts_idata), decoded by
# brms/_draws.ts; installed with sampling.R as `brmsts:brm`.
brmsts_responses <- function(fit) {
  bt <- brms::brmsterms(fit$formula)
  if (inherits(bt, "mvbrmsterms")) {
    resp <- unname(bt$responses)
    list(mv = TRUE, names = resp, lhs = lapply(bt$terms[resp], function(t) t$respform[[2L]]))
  } else {
    lhs <- bt$respform[[2L]]
    name <- if (is.name(lhs)) as.character(lhs) else all.vars(lhs)[1L]
    list(mv = FALSE, names = name, lhs = list(lhs))
  }
}

brmsts_obs_id <- function(fit, data) {
  mf <- fit$data
  rn <- rownames(mf)
  if (is.data.frame(data)) {
    keep <- match(rn, rownames(data))
    if (anyNA(keep)) keep <- seq_len(nrow(mf))
    if ("obs_id" %in% names(data)) {
      id <- data$obs_id[keep]
      return(if (is.factor(id)) as.character(id) else id)
    }
    if (.row_names_info(data) > 0L) return(rownames(data)[keep])
    return(keep - 1L)
  }
  if (.row_names_info(mf) < 0L) return(seq_len(nrow(mf)) - 1L)
  num <- suppressWarnings(as.integer(rn))
  if (!anyNA(num)) num - 1L else rn
}

brmsts_column <- function(x) {
  if (is.character(x)) x <- factor(x)
  if (is.factor(x)) {
    codes <- as.integer(x) - 1L
    codes[is.na(codes)] <- -1L
    return(list(kind = "factor", values = codes, levels = levels(x)))
  }
  if (is.logical(x)) return(list(kind = "logical", values = as.integer(x)))
  if (is.matrix(x) && is.numeric(x)) {
    storage.mode(x) <- "double"
    return(list(kind = "matrix", values = x, dim = dim(x)))
  }
  if (is.integer(x)) return(list(kind = "integer", values = x))
  if (is.numeric(x)) return(list(kind = "double", values = as.double(x)))
  NULL
}

# The post-warmup draws as one vector (parameter, chain, draw), the layout of as.array()'s
# memory, built straight from the stanfit's samples (several times faster than as.array()).
brmsts_flat_draws <- function(sf) {
  sim <- sf@sim
  chains <- sim$chains
  kept <- sim$n_save - sim$warmup2
  if (!chains || any(kept != kept[1L])) stop("unequal chains")
  idx <- lapply(seq_len(chains), function(c) seq.int(sim$warmup2[c] + 1L, length.out = kept[c]))
  k <- match(sim$fnames_oi, names(sim$samples[[1L]]))
  if (anyNA(k)) stop("unknown parameter names")
  v <- unlist(lapply(k, function(j) {
    lapply(seq_len(chains), function(c) sim$samples[[c]][[j]][idx[[c]]])
  }), use.names = FALSE)
  if (length(v) != length(k) * chains * kept[1L]) stop("unexpected length")
  list(values = as.double(v), names = sim$fnames_oi, iters = kept[1L], chains = chains)
}

brmsts_restore_seed <- function(seed) {
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = globalenv())
  set.seed(seed)
  function() {
    if (had) assign(".Random.seed", old, envir = globalenv())
    else if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) {
      rm(".Random.seed", envir = globalenv())
    }
  }
}

# A group brms cannot compute (e.g. a custom family without posterior_predict_<name> or
# log_lik_<name>) is left out with a warning, never the fit: NULL then.
brmsts_try_group <- function(group, expr) {
  tryCatch(expr, error = function(e) {
    warning(sprintf("InferenceData group '%s' left out: %s", group, conditionMessage(e)),
            call. = FALSE)
    NULL
  })
}

brmsts_idata <- function(fit, data = NULL, groups, seed = NULL) {
  if (is.environment(data)) data <- data$args$data
  if (is.null(seed)) seed <- NA
  out <- list()
  sf <- fit$fit
  if (any(c("posterior", "sample_stats") %in% groups)) {
    out$post <- if (identical(fit$algorithm, "sampling")) {
      tryCatch(brmsts_flat_draws(sf), error = function(e) NULL)
    }
    if (is.null(out$post)) {
      a <- as.array(sf)
      d <- dim(a)
      nm <- dimnames(a)[[3L]]
      dim(a) <- NULL
      out$post <- list(values = a, names = nm, iters = d[1L], chains = d[2L])
    }
  }
  if ("sample_stats" %in% groups && identical(fit$algorithm, "sampling")) {
    sp <- tryCatch(rstan::get_sampler_params(sf, inc_warmup = FALSE), error = function(e) NULL)
    if (length(sp) && length(sp[[1L]])) {
      cols <- colnames(sp[[1L]])
      v <- unlist(lapply(cols, function(cn) unlist(lapply(sp, function(m) m[, cn]),
                                                     use.names = FALSE)), use.names = FALSE)
      out$stats <- list(values = as.double(v), names = cols)
    }
  }
  pred <- intersect(c("posterior_predictive", "log_likelihood", "observed_data",
                      "constant_data"), groups)
  if (length(pred)) {
    rs <- brmsts_responses(fit)
    out$responses <- rs$names
    out$obs_id <- brmsts_obs_id(fit, data)
    pick <- function(arr, i) {
      if (length(dim(arr)) == 3L) arr[, , i] else arr
    }
    if ("posterior_predictive" %in% groups) {
      if (!is.na(seed)) {
        # Seed now, restore the caller's RNG state when this function exits.
        restore <- brmsts_restore_seed(seed)
        on.exit(restore(), add = TRUE)
      }
      pp <- brmsts_try_group("posterior_predictive", brms::posterior_predict(fit))
      if (!is.null(pp)) {
        out$pp <- lapply(seq_along(rs$names), function(i) {
          m <- if (rs$mv) pick(pp, rs$names[i]) else pp
          storage.mode(m) <- "double"
          m
        })
      }
    }
    if ("log_likelihood" %in% groups) {
      ll <- brmsts_try_group("log_likelihood", {
        if (rs$mv && isTRUE(fit$formula$rescor)) {
          # Residual correlations: the likelihood does not factor by response; brms's log_lik()
          # is the joint pointwise log-likelihood, one variable named after all responses.
          out$ll_names <- paste(rs$names, collapse = "_")
          list(brms::log_lik(fit))
        } else {
          lapply(seq_along(rs$names), function(i) {
            if (rs$mv) brms::log_lik(fit, resp = rs$names[i]) else brms::log_lik(fit)
          })
        }
      })
      if (!is.null(ll)) {
        out$ll <- lapply(ll, function(m) {
          storage.mode(m) <- "double"
          m
        })
      }
    }
    mf <- fit$data
    if ("observed_data" %in% groups) {
      out$observed <- lapply(rs$lhs, function(lhs) {
        y <- eval(lhs, mf, baseenv())
        brmsts_column(if (is.matrix(y) || is.factor(y)) y else as.vector(y))
      })
    }
    if ("constant_data" %in% groups) {
      skip <- unique(unlist(lapply(rs$lhs, all.vars)))
      cols <- setdiff(names(mf), skip)
      cd <- lapply(cols, function(cn) brmsts_column(mf[[cn]]))
      names(cd) <- cols
      out$constant <- cd[!vapply(cd, is.null, NA)]
    }
  }
  out
}
