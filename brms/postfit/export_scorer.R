# R side of brms/export_scorer.ts: everything brms's posterior_linpred / posterior_epred need
# for new data, taken from the brmsfit itself (its terms' predvars, factor contrasts, ranef
# table, family and draws). Refuses what the pure-TS scorer cannot reproduce exactly.
# Doubles in the header are written as "%.17g" strings (exact round trip).

brmsts_sc_families <- c(
  "gaussian", "student", "skew_normal", "lognormal", "gamma", "weibull", "exponential",
  "beta", "bernoulli", "binomial", "poisson", "negbinomial", "zero_inflated_poisson",
  "zero_inflated_negbinomial", "hurdle_poisson", "hurdle_negbinomial", "cumulative",
  "categorical"
)
brmsts_sc_fns <- c(
  "+", "-", "*", "/", "^", "(", "I", "log", "exp", "sqrt", "abs", "log1p", "expm1",
  "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"
)
brmsts_sc_links <- c(
  "identity", "log", "logit", "probit", "cauchit", "cloglog", "inverse", "sqrt",
  "1/mu^2", "softplus", "probit_approx", "logm1", "log1p", "squareplus", "tan_half"
)

brmsts_sc_refuse <- function(term, why) {
  stop(structure(
    class = c("brmsts_sc_refuse", "error", "condition"),
    list(message = paste0(why, ": ", term), term = term, call = NULL)
  ))
}

brmsts_sc_num <- function(x) I(sprintf("%.17g", as.double(x)))

brmsts_sc_deparse <- function(x) {
  paste(deparse(x, width.cutoff = 500L, backtick = !is.symbol(x) && is.language(x)),
        collapse = " ")
}

# A whitelisted arithmetic AST of an R expression (never code: the TS side walks it).
brmsts_sc_ast <- function(e, term) {
  if ((is.numeric(e) || is.logical(e)) && length(e) == 1L && !is.na(e)) {
    return(list(t = "num", v = brmsts_sc_num(e)))
  }
  if (is.symbol(e)) return(list(t = "var", v = as.character(e)))
  if (!is.call(e) || !is.symbol(e[[1]])) brmsts_sc_refuse(term, "unsupported expression")
  fn <- as.character(e[[1]])
  if (fn == "poly") {
    m <- match.call(stats::poly, e, expand.dots = FALSE)
    dots <- m$...
    if (!is.null(m$simple) || length(dots) > 1L || is.null(m$x)) {
      brmsts_sc_refuse(term, "unsupported poly() call (one variable only)")
    }
    raw <- isTRUE(eval(m$raw, baseenv()))
    degree <- if (length(dots)) dots[[1]] else if (is.null(m$degree)) 1L else m$degree
    degree <- as.integer(eval(degree, baseenv()))
    if (length(degree) != 1L) brmsts_sc_refuse(term, "unsupported poly() call")
    out <- list(t = "poly", x = brmsts_sc_ast(m$x, term), degree = degree, raw = raw)
    if (!raw) {
      co <- eval(m$coefs, baseenv())
      if (is.null(co)) brmsts_sc_refuse(term, "poly() without training coefficients")
      out$alpha <- brmsts_sc_num(co$alpha)
      out$norm2 <- brmsts_sc_num(co$norm2)
    }
    return(out)
  }
  if (fn == "scale") {
    m <- match.call(base::scale, e)
    ctr <- eval(m$center, baseenv())
    scl <- eval(m$scale, baseenv())
    if (length(ctr) > 1L || length(scl) > 1L || is.null(ctr) || is.null(scl)) {
      brmsts_sc_refuse(term, "scale() without training centre and scale")
    }
    if (isTRUE(ctr) || isTRUE(scl)) brmsts_sc_refuse(term, "scale() without training values")
    return(list(
      t = "scale", x = brmsts_sc_ast(m$x, term),
      center = if (isFALSE(ctr)) NULL else brmsts_sc_num(ctr),
      scale = if (isFALSE(scl)) NULL else brmsts_sc_num(scl)
    ))
  }
  if (!fn %in% brmsts_sc_fns) brmsts_sc_refuse(term, paste0("unsupported function ", fn, "()"))
  args <- as.list(e)[-1]
  if (!is.null(names(args)) && any(nzchar(names(args)))) {
    brmsts_sc_refuse(term, "named arguments are not supported")
  }
  if (fn == "log" && length(args) != 1L) brmsts_sc_refuse(term, "log() with a base")
  list(t = "call", f = fn, a = lapply(args, brmsts_sc_ast, term = term))
}

# One design-matrix formula as model.matrix builds it: terms, their variables and codings.
brmsts_sc_design <- function(formula, vars_env, cols2remove = NULL) {
  tt <- brms:::validate_terms(formula)
  if (is.null(tt)) return(NULL)
  labels <- attr(tt, "term.labels")
  fac <- attr(tt, "factors")
  vnames <- vapply(as.list(attr(tt, "variables"))[-1], brmsts_sc_deparse, "")
  terms <- lapply(seq_along(labels), function(j) {
    used <- which(fac[, j] > 0)
    for (v in vnames[used]) vars_env$need <- union(vars_env$need, v)
    list(label = labels[j], vars = I(vnames[used]), codes = I(as.integer(fac[used, j])))
  })
  X <- brms:::get_model_matrix(formula, vars_env$data, cols2remove = cols2remove)
  Xraw <- brms:::get_model_matrix(formula, vars_env$data, cols2remove = cols2remove,
                                  rename = FALSE)
  intercept <- attr(tt, "intercept") == 1L && "(Intercept)" %in% colnames(Xraw)
  list(intercept = intercept, terms = terms, columns = I(colnames(X)),
       rawColumns = I(colnames(Xraw)))
}

brmsts_sc_labels <- function(f) {
  if (is.null(f)) return(character())
  if (inherits(f, "formula")) return(attr(terms(f), "term.labels"))
  as.character(f)
}

brmsts_sc_check_btl <- function(bt, dp) {
  if (!inherits(bt, "btl")) brmsts_sc_refuse(dp, "non-linear formulas are not supported")
  for (what in c("sm", "gp", "cs", "ac")) {
    lab <- brmsts_sc_labels(bt[[what]])
    if (length(lab)) {
      if (what == "cs") lab <- paste0("cs(", lab, ")")
      brmsts_sc_refuse(lab[1], switch(what,
        sm = "smooth terms (s(), t2()) are not supported",
        gp = "Gaussian processes (gp()) are not supported",
        cs = "category-specific effects (cs()) are not supported",
        ac = "autocorrelation terms are not supported"
      ))
    }
  }
}

brmsts_sc_dpar <- function(bt, dp, fit, vars_env, draws_env, ordinal) {
  brmsts_sc_check_btl(bt, dp)
  p <- brms:::usc(brms:::combine_prefix(bt))
  out <- list(name = dp, link = bt$family$link)
  if (!out$link %in% brmsts_sc_links) brmsts_sc_refuse(out$link, "unsupported link")
  if (!is.null(bt$fe)) {
    des <- brmsts_sc_design(brms:::rhs(bt$fe), vars_env,
                            cols2remove = if (ordinal) "(Intercept)")
    if (!is.null(des) && length(des$columns)) {
      des$b <- I(paste0("b", p, "_", des$columns))
      draws_env$need <- c(draws_env$need, des$b)
      out$fe <- des
    }
  }
  if (!is.null(bt$sp)) {
    spef <- brms:::tidy_spef(bt, fit$data)
    sp <- list()
    for (i in seq_len(nrow(spef))) {
      if (length(spef$calls_me[[i]]) || length(spef$calls_mi[[i]]) ||
          length(spef$calls_mo[[i]]) != 1L || spef$Ic[i] > 0) {
        brmsts_sc_refuse(spef$term[i], "only plain mo() terms are supported")
      }
      call <- str2lang(spef$calls_mo[[i]])
      x <- call[[2]]
      if (!is.symbol(x)) brmsts_sc_refuse(spef$term[i], "mo() of an expression")
      xv <- fit$data[[as.character(x)]]
      coef <- spef$coef[i]
      simo <- paste0("simo", p, "_", coef, "1")
      D <- sum(grepl(paste0("^", simo, "\\["), colnames(draws_env$dm), fixed = FALSE))
      entry <- list(var = as.character(x), bsp = paste0("bsp", p, "_", coef),
                    simo = I(paste0(simo, "[", seq_len(D), "]")), D = D)
      if (is.ordered(xv)) {
        entry$levels <- I(levels(xv))
      } else if (is.numeric(xv)) {
        entry$min <- brmsts_sc_num(min(xv))
        entry$max <- brmsts_sc_num(max(xv))
      } else {
        brmsts_sc_refuse(spef$term[i], "mo() of a variable that is neither numeric nor ordered")
      }
      draws_env$need <- c(draws_env$need, entry$bsp, entry$simo)
      sp[[length(sp) + 1L]] <- entry
    }
    out$sp <- sp
  }
  if (!is.null(bt$offset)) {
    labs <- attr(terms(bt$offset), "variables")
    offs <- as.list(attr(terms(bt$offset), "variables"))[-1]
    out$offset <- lapply(offs, function(o) {
      if (!is.call(o) || !identical(o[[1]], as.name("offset"))) {
        brmsts_sc_refuse(brmsts_sc_deparse(o), "unsupported offset")
      }
      brmsts_sc_ast(o[[2]], brmsts_sc_deparse(o))
    })
  }
  out
}

brmsts_sc_ranef <- function(fit, dp, bt, vars_env, draws_env) {
  ranef <- fit$ranef
  if (!NROW(ranef)) return(list())
  px <- brms:::check_prefix(bt)
  r <- brms:::subset2(ranef, ls = px)
  if (!NROW(r)) return(list())
  pp <- brms:::combine_prefix(px)
  p <- if (nzchar(pp)) paste0("__", pp) else ""
  lapply(unique(r$group), function(g) {
    rg <- r[r$group == g, , drop = FALSE]
    term <- paste0("(", brmsts_sc_deparse(brms:::rhs(rg$form[[1]])[[2]]), " | ", g, ")")
    if (rg$gtype[1] == "mm") brmsts_sc_refuse(term, "multi-membership terms are not supported")
    if (any(rg$type != "")) brmsts_sc_refuse(term, "special group-level terms are not supported")
    des <- brmsts_sc_design(rg$form[[1]], vars_env)
    if (!identical(as.character(des$columns), as.character(rg$coef))) {
      brmsts_sc_refuse(term, "group-level columns do not match brms's")
    }
    levels <- attr(ranef, "levels")[[g]]
    rnames <- as.vector(outer(levels, rg$coef, function(l, c) {
      paste0("r_", g, p, "[", l, ",", c, "]")
    }))
    draws_env$need <- c(draws_env$need, rnames)
    vars <- strsplit(g, ":", fixed = TRUE)[[1]]
    list(group = g, vars = I(vars), levels = I(levels), coefs = I(rg$coef),
         form = brmsts_sc_deparse(rg$form[[1]]), cor = isTRUE(rg$cor[1]),
         design = des, r = I(rnames))
  })
}

brmsts_sc_variable <- function(name, vars, pv, data) {
  i <- match(name, vars)
  if (is.na(i)) {
    if (name == "Intercept") return(list(name = name, kind = "one"))
    brmsts_sc_refuse(name, "variable not found in the model frame")
  }
  x <- data[[name]]
  expr <- pv[[i]]
  out <- list(name = name, raw = I(all.vars(expr)))
  if (is.factor(x) || is.character(x)) {
    if (!is.symbol(expr)) {
      brmsts_sc_refuse(name, "factors made inside the formula are not supported (convert first)")
    }
    f <- as.factor(x)
    cm <- contrasts(f)
    out$kind <- "factor"
    out$levels <- I(levels(f))
    out$ordered <- is.ordered(f)
    out$contrasts <- brmsts_sc_num(as.vector(cm))
    out$contrastNames <- if (is.null(colnames(cm))) NULL else I(colnames(cm))
    out$ncontrasts <- ncol(cm)
  } else if (is.numeric(x)) {
    out$kind <- if (is.matrix(x)) "matrix" else "numeric"
    if (is.matrix(x)) {
      out$ncol <- ncol(x)
      out$colnames <- if (is.null(colnames(x))) NULL else I(colnames(x))
    }
    out$expr <- brmsts_sc_ast(expr, name)
  } else {
    brmsts_sc_refuse(name, paste0("variables of class ", class(x)[1], " are not supported"))
  }
  out
}

brmsts_sc_export_impl <- function(fit, draw_ids) {
  fam <- fit$family
  if (inherits(fam, "mixfamily")) brmsts_sc_refuse("mixture", "mixture families are not supported")
  if (!fam$family %in% brmsts_sc_families) {
    brmsts_sc_refuse(fam$family, "unsupported family")
  }
  fit <- brms:::restructure(fit)
  bterms <- brms::brmsterms(formula(fit))
  if (brms:::is.mvbrmsterms(bterms)) brmsts_sc_refuse("mvbind", "multivariate models")
  ad <- names(bterms$adforms)
  bad_ad <- setdiff(ad, c("weights", "cens", "se", "trials", "cat"))
  if (length(bad_ad)) brmsts_sc_refuse(paste0(bad_ad[1], "()"), "unsupported addition term")
  if (length(bterms$nlpars)) brmsts_sc_refuse("nl = TRUE", "non-linear formulas")
  ordinal <- fam$family == "cumulative"
  dm <- tryCatch(posterior::as_draws_matrix(fit), error = function(e) NULL)
  draws_env <- new.env()
  draws_env$need <- character()
  draws_env$dm <- dm
  old_terms <- attr(fit$data, "terms")
  vars <- vapply(as.list(attr(old_terms, "variables"))[-1], brmsts_sc_deparse, "")
  pv <- as.list(attr(old_terms, "predvars"))[-1]
  vars_env <- new.env()
  vars_env$need <- character()
  vars_env$data <- fit$data
  dpars <- list()
  fixed <- list()
  for (dp in names(bterms$dpars)) {
    bt <- bterms$dpars[[dp]]
    d <- brmsts_sc_dpar(bt, dp, fit, vars_env, draws_env, ordinal && dp == "mu")
    d$re <- brmsts_sc_ranef(fit, dp, bt, vars_env, draws_env)
    dpars[[dp]] <- d
  }
  for (dp in setdiff(brms:::valid_dpars(fit), names(bterms$dpars))) {
    if (dp %in% colnames(dm)) {
      fixed[[dp]] <- list(draws = dp)
      draws_env$need <- c(draws_env$need, dp)
    } else if (!is.null(bterms$fdpars[[dp]])) {
      fixed[[dp]] <- list(value = brmsts_sc_num(bterms$fdpars[[dp]]$value))
    }
  }
  header <- list(
    format = "brmsts-scorer", brms = as.character(utils::packageVersion("brms")),
    family = fam$family, link = fam$link, dpars = dpars, fixed = fixed,
    formula = paste(deparse(formula(fit)$formula, width.cutoff = 500L), collapse = " ")
  )
  if (ordinal) {
    sd <- brms::standata(fit)
    if (!is.null(sd$Jthres)) brmsts_sc_refuse("thres(gr = )", "grouped thresholds")
    header$thresholds <- I(paste0("b_Intercept[", seq_len(sd$nthres), "]"))
    draws_env$need <- c(draws_env$need, header$thresholds)
    cats <- fit$family$cats
    if (is.null(cats)) cats <- seq_len(sd$nthres + 1L)
    header$cats <- I(as.character(cats))
  }
  if (fam$family == "categorical") {
    header$cats <- I(as.character(fit$family$cats))
    header$refcat <- fit$family$refcat
    header$mu <- I(grep("^mu", names(bterms$dpars), value = TRUE))
  }
  if (fam$family == "binomial") {
    tr <- bterms$adforms$trials
    if (is.null(tr)) brmsts_sc_refuse("binomial without trials()", "binomial needs trials()")
    tv <- brms:::eval_rhs(tr)$vars$trials
    if (is.character(tv)) tv <- str2lang(tv)
    header$trials <- brmsts_sc_ast(tv, "trials()")
  }
  variables <- lapply(vars_env$need, brmsts_sc_variable, vars = vars, pv = pv, data = fit$data)
  header$variables <- variables
  if (is.null(dm) || !nrow(dm)) brmsts_sc_refuse("empty fit", "the fit has no posterior draws")
  need <- unique(draws_env$need)
  miss <- setdiff(need, colnames(dm))
  if (length(miss)) brmsts_sc_refuse(miss[1], "draws not found in the fit")
  ids <- if (is.null(draw_ids)) seq_len(nrow(dm)) else as.integer(draw_ids)
  header$drawIds <- I(ids)
  header$ndraws <- length(ids)
  header$params <- I(need)
  vals <- unclass(dm)[ids, need, drop = FALSE]
  list(header = as.character(jsonlite::toJSON(header, auto_unbox = TRUE, null = "null")),
       values = as.double(vals), ncol = length(need), ndraws = length(ids))
}

brmsts_sc_export <- function(fit, ndraws, thin) {
  n <- tryCatch(posterior::ndraws(fit), error = function(e) 0L)
  ids <- if (n > 0L) seq(1L, n, by = max(1L, as.integer(thin))) else integer()
  if (!is.null(ndraws) && ndraws < length(ids)) {
    ids <- ids[unique(round(seq(1, length(ids), length.out = ndraws)))]
  }
  tryCatch(brmsts_sc_export_impl(fit, ids), brmsts_sc_refuse = function(e) {
    list(refused = conditionMessage(e), term = e$term)
  })
}
