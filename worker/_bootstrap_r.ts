/**
 * R source evaluated once per worker session. It defines the R-level trap that every request
 * runs under (`withCallingHandlers`: errors with call and traceback, warnings and messages;
 * errors and interrupts then unwind to the host's `R_tryEvalSilent`) and returns an environment the host keeps preserved, so nothing is
 * written into the user's global environment.
 *
 * @module
 */
export const BOOTSTRAP_R = String.raw`
local({
  tools <- new.env(parent = baseenv())
  one_line <- function(x, width = 300L) {
    s <- tryCatch(paste(deparse(x, width.cutoff = 200L, nlines = 2L), collapse = " "),
                  error = function(e) "<unprintable>")
    if (nchar(s) > width) paste0(substr(s, 1L, width - 3L), "...") else s
  }
  # Interrupts are not caught here: R unwinds to R_tryEvalSilent, and the host reports them
  # (it knows it raised the interrupt flag). Errors are recorded by a calling handler (where
  # the traceback is still on the stack) and then also unwind to R_tryEvalSilent: no exiting
  # handler, so a successful call pays only for withCallingHandlers.
  on_warning <- function(w) {
    tools$.warnings <- c(tools$.warnings, conditionMessage(w))
    invokeRestart("muffleWarning")
  }
  on_message <- function(m) {
    tools$.messages <- c(tools$.messages, sub("\n$", "", conditionMessage(m)))
  }
  on_error <- function(e) {
    calls <- sys.calls()
    keep <- seq_along(calls)
    keep <- keep[keep > tools$.start + 2L]
    heads <- vapply(calls[keep], function(cl) {
      h <- cl[[1L]]
      if (is.symbol(h)) as.character(h) else ""
    }, "")
    keep <- keep[!heads %in% c(".handleSimpleError", "h", ".signalSimpleWarning")]
    kind <- if (inherits(e, "brmsts_parse_error")) "parse-error" else "r-error"
    cl <- conditionCall(e)
    tools$.error <- list(kind, conditionMessage(e), if (is.null(cl)) NULL else one_line(cl),
                         vapply(calls[keep], one_line, ""))
  }
  # Evaluates expr (a promise: it is forced inside withCallingHandlers, so no thunk closure is
  # needed) under the trap. On success: list(value, warnings, messages). On an R error the
  # evaluation fails (the host sees NULL from R_tryEvalSilent) and tools$.error holds
  # list(kind, message, call, traceback), with the warnings and messages in .warnings and
  # .messages.
  tools$trap <- function(expr) {
    tools$.warnings <- character(0)
    tools$.messages <- character(0)
    tools$.error <- NULL
    tools$.start <- .Machine$integer.max
    value <- withCallingHandlers(expr, warning = on_warning, message = on_message,
                                 error = on_error)
    list(value, tools$.warnings, tools$.messages)
  }
  tools$failure <- function() list(tools$.error, tools$.warnings, tools$.messages)
  tools$eval_text <- function(code) {
    exprs <- tryCatch(parse(text = code, keep.source = FALSE), error = function(e) {
      stop(structure(class = c("brmsts_parse_error", "error", "condition"),
                     list(message = conditionMessage(e), call = NULL)))
    })
    value <- NULL
    tools$.start <- sys.nframe()
    for (e in exprs) value <- eval(e, globalenv())
    value
  }
  # Calls fn (a name, or pkg::name) with args bound to symbols in a child of the global
  # environment, so tracebacks show .arg1, .arg2 ... and not deparsed data.
  tools$call_fn <- function(fn, args) {
    head <- str2lang(fn)
    env <- new.env(parent = globalenv())
    nms <- names(args)
    if (is.null(nms)) nms <- rep("", length(args))
    syms <- vector("list", length(args))
    for (i in seq_along(args)) {
      a <- args[[i]]
      if (inherits(a, "brmsts_code")) a <- eval(str2lang(unclass(a)), globalenv())
      nm <- paste0(".arg", i)
      if (missing(a)) {
        syms[i] <- list(quote(expr = ))
      } else {
        assign(nm, a, envir = env)
        syms[[i]] <- as.name(nm)
      }
    }
    names(syms) <- nms
    tools$.start <- sys.nframe()
    eval(as.call(c(list(head), syms)), env)
  }
  # Evaluates an expression vector the host has already parsed.
  tools$eval_exprs <- function(exprs) {
    value <- NULL
    tools$.start <- sys.nframe()
    for (e in exprs) value <- eval(e, globalenv())
    value
  }
  tools$run_exprs <- function(exprs) tools$trap(tools$eval_exprs(exprs))
  tools$run_text <- function(code) tools$trap(tools$eval_text(code))
  tools$run_call <- function(fn, args) tools$trap(tools$call_fn(fn, args))
  # A short printed form for RObject handles.
  tools$repr <- function(x) {
    out <- tryCatch({
      if (inherits(x, "brmsfit")) {
        paste0("<brmsfit> ", paste(deparse(x$formula$formula, width.cutoff = 200L), collapse = " "))
      } else if (is.function(x)) {
        paste0("<function> ", one_line(args(x)))
      } else if (is.environment(x)) {
        format(x)
      } else if (inherits(x, "formula") || is.language(x)) {
        one_line(x)
      } else {
        lines <- utils::capture.output(utils::str(x, max.level = 1L, list.len = 6L,
                                                  give.attr = FALSE))
        paste(utils::head(lines, 8L), collapse = "\n")
      }
    }, error = function(e) paste0("<", class(x)[1L], ">"))
    substr(out, 1L, 2000L)
  }
  tools$classes <- function(x) class(x)
  tools$status <- function() {
    ver <- function(p) {
      if (nzchar(system.file(package = p))) as.character(utils::packageVersion(p)) else NA_character_
    }
    list(R.version.string, R.home(), ver("brms"), ver("rstan"), ver("cmdstanr"), .libPaths(),
         tempdir())
  }
  # A child forked by parallel::mcfork (mclapply, mcparallel, rstan's chains) must never print
  # through the embedding's console callback: the JS runtime that owns it does not survive a
  # fork. Wrap mcfork (now, or whenever parallel loads) so that each child first sinks R's
  # output and messages into fds 1 and 2, which the worker forwards as raw log entries.
  tools$fork_hook <- function() {
    wrap <- function(...) {
      ns <- asNamespace("parallel")
      fork <- get("mcfork", envir = ns)
      if (isTRUE(attr(fork, "brmsts"))) return(invisible(NULL))
      wrapped <- function(...) {
        f <- fork(...)
        if (inherits(f, "masterProcess")) {
          sink(file("/dev/stdout", open = "w", raw = TRUE))
          sink(file("/dev/stderr", open = "w", raw = TRUE), type = "message")
        }
        f
      }
      attr(wrapped, "brmsts") <- TRUE
      unlockBinding("mcfork", ns)
      assign("mcfork", wrapped, envir = ns)
      lockBinding("mcfork", ns)
      invisible(NULL)
    }
    if ("parallel" %in% loadedNamespaces()) wrap()
    else setHook(packageEvent("parallel", "onLoad"), wrap)
    invisible(NULL)
  }
  # Debian's r-cran-bh ships no include/boost: point rstan at the system Boost whenever rstan
  # loads in this session (a hook, so sessions that never use rstan do not pay for loading it).
  tools$boost_fix <- function() {
    bh <- system.file("include", "boost", package = "BH")
    if (!nzchar(bh) && dir.exists("/usr/include/boost")) {
      setHook(packageEvent("rstan", "onLoad"), function(...) {
        rstan::rstan_options(boost_lib = "/usr/include")
      })
    }
    invisible(NULL)
  }
  tools
})
`;
