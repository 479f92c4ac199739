# Evaluated once per worker session (worker/host/session.ts): the R-level trap every request
# runs under, returning an environment the host keeps preserved.
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
  # Frames that are not user code: the tool's own eval() calls before it, and R's handler
  # dispatch after it (.handleSimpleError(h, ...) and the call of the handler, i.e. this one).
  tool_evals <- list(quote(eval(e, globalenv())), quote(eval(call, env)))
  head_of <- function(cl) if (is.symbol(cl[[1L]])) as.character(cl[[1L]]) else ""
  on_error <- function(e) {
    calls <- sys.calls()
    last <- length(calls) - 1L
    while (last > 0L &&
           head_of(calls[[last]]) %in% c(".handleSimpleError", ".signalSimpleWarning")) {
      last <- last - 1L
    }
    first <- if (is.na(tools$.start)) last + 1L else tools$.start + 1L # unset: no traceback
    while (first <= last && any(vapply(tool_evals, identical, NA, calls[[first]]))) {
      first <- first + 1L
    }
    keep <- if (first <= last) first:last else integer(0)
    kind <- if (inherits(e, "brmsts_parse_error")) "parse-error" else "r-error"
    cl <- conditionCall(e)
    tb <- if (kind == "parse-error") character(0) else vapply(calls[keep], one_line, "")
    tools$.error <- list(kind, conditionMessage(e), if (is.null(cl)) NULL else one_line(cl), tb)
  }
  # The trap's state lives in tools: .warnings and .messages (NULL when none), .error, and
  # .start (the frame of the tool that runs user code, for tracebacks; NA when none does). A
  # successful trap leaves it clean; failure() reads and clears it after an error or interrupt.
  tools$.warnings <- NULL
  tools$.messages <- NULL
  tools$.error <- NULL
  tools$.start <- NA_integer_
  # Evaluates expr (a promise: it is forced inside withCallingHandlers, so no thunk closure is
  # needed) under the trap. On success: list(value, warnings, messages). On an R error the
  # evaluation fails (the host sees NULL from R_tryEvalSilent) and tools$.error holds
  # list(kind, message, call, traceback).
  tools$trap <- function(expr) {
    value <- withCallingHandlers(expr, warning = on_warning, message = on_message,
                                 error = on_error)
    w <- tools$.warnings
    m <- tools$.messages
    if (!is.null(w)) tools$.warnings <- NULL
    if (!is.null(m)) tools$.messages <- NULL
    list(value, w, m)
  }
  tools$failure <- function() {
    out <- list(tools$.error, tools$.warnings, tools$.messages)
    tools$.warnings <- NULL
    tools$.messages <- NULL
    tools$.error <- NULL
    tools$.start <- NA_integer_
    out
  }
  tools$eval_text <- function(code) {
    tools$.start <- sys.nframe()
    exprs <- tryCatch(parse(text = code, keep.source = FALSE), error = function(e) {
      stop(structure(class = c("brmsts_parse_error", "error", "condition"),
                     list(message = conditionMessage(e), call = NULL)))
    })
    value <- NULL
    for (e in exprs) value <- eval(e, globalenv())
    value
  }
  # Calls fn (a name, or pkg::name) with args bound to symbols in a child of the global
  # environment, so tracebacks show .arg1, .arg2 ... and not deparsed data.
  tools$call_fn <- function(fn, args) {
    tools$.start <- sys.nframe()
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
    call <- as.call(c(list(head), syms))
    eval(call, env)
  }
  # Evaluates an expression vector the host has already parsed.
  tools$eval_exprs <- function(exprs) {
    tools$.start <- sys.nframe()
    value <- NULL
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
  # R's JIT never compiles small closures made outside the global environment, and the
  # interpreted trap costs ~30 µs a call against ~10 µs compiled. Compiling takes ~100 ms (most
  # of it the compiler warming up), so the host calls this once the worker is first idle.
  tools$compile <- function() {
    for (nm in c("trap", "failure", "eval_exprs", "eval_text", "call_fn", "run_exprs",
                 "run_text", "run_call")) {
      tools[[nm]] <- compiler::cmpfun(tools[[nm]])
    }
    invisible(NULL)
  }
  tools
})
