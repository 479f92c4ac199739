# Prior strings checked with Stan's parser before a model is compiled (issue 13, item 12).

# "" when rstan's parser accepts `code` (or rstan is not installed), else what it printed.
brmsts_stanc_problem <- function(code) {
  if (!requireNamespace("rstan", quietly = TRUE)) return("")
  msg <- ""
  # The parser prints its message (on stderr); the condition only says that parsing failed.
  err <- utils::capture.output(
    out <- utils::capture.output(
      msg <- tryCatch({
        rstan::stanc(model_code = code, verbose = FALSE)
        ""
      }, error = function(e) conditionMessage(e)),
      type = "output"
    ),
    type = "message"
  )
  if (!nzchar(msg)) return("")
  lines <- c(out, err)
  paste(lines[nzchar(trimws(lines))], collapse = "\n")
}

# NULL when the generated Stan code parses, or when it does not parse for a reason other than
# the priors (then the compile reports it); else the parser's message and the user priors that
# break the code on their own.
brmsts_check_priors <- function(spec) {
  problem <- brmsts_stanc_problem(as.character(spec$x$model))
  if (!nzchar(problem)) return(NULL)
  pr <- spec$args$prior
  if (is.null(pr) || !NROW(pr)) return(NULL)
  code_with <- function(p) {
    a <- spec$args
    a$prior <- p
    x <- tryCatch(brms::do_call(brms::brm, c(a, list(empty = TRUE))), error = function(e) NULL)
    if (is.null(x)) NULL else as.character(x$model)
  }
  base <- code_with(NULL)
  if (is.null(base) || nzchar(brmsts_stanc_problem(base))) return(NULL)
  bad <- Filter(function(i) {
    code <- code_with(pr[i, ])
    !is.null(code) && nzchar(brmsts_stanc_problem(code))
  }, seq_len(nrow(pr)))
  if (!length(bad)) return(NULL)
  fields <- c("prior", "class", "coef", "group", "resp", "dpar", "nlpar")
  list(
    problem = problem,
    priors = lapply(bad, function(i) {
      as.list(vapply(fields, function(f) as.character(pr[[f]][i]), ""))
    })
  )
}
