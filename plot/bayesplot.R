# brmsts plot/: a bayesplot / brms plot drawn by ggplot2 and saved through svglite; returns the
# SVG text. `fun` is a bayesplot function name (mcmc_* through brms::mcmc_plot, ppc_* through
# brms::pp_check), "pp_check" or "conditional_effects".
brmsts_plot_bayesplot <- function(fit, fun, args, width, height) {
  if (!requireNamespace("svglite", quietly = TRUE)) {
    stop("the R package svglite is not installed (Debian: r-cran-svglite)")
  }
  args <- if (is.null(args)) list() else as.list(args)
  plot <- if (fun == "pp_check") {
    do.call(brms::pp_check, c(list(fit), args))
  } else if (fun == "conditional_effects") {
    ce <- do.call(brms::conditional_effects, c(list(fit), args))
    plots <- plot(ce, plot = FALSE, ask = FALSE)
    plots[[1]]
  } else if (startsWith(fun, "mcmc_")) {
    do.call(brms::mcmc_plot, c(list(fit, type = sub("^mcmc_", "", fun)), args))
  } else if (startsWith(fun, "ppc_")) {
    do.call(brms::pp_check, c(list(fit, type = sub("^ppc_", "", fun)), args))
  } else {
    stop("unknown plot function '", fun, "': use mcmc_*, ppc_*, pp_check or conditional_effects")
  }
  file <- tempfile(fileext = ".svg")
  on.exit(unlink(file), add = TRUE)
  svglite::svglite(file, width = width, height = height)
  ok <- FALSE
  on.exit(if (!ok) grDevices::dev.off(), add = TRUE)
  print(plot)
  grDevices::dev.off()
  ok <- TRUE
  paste(readLines(file, warn = FALSE), collapse = "\n")
}
