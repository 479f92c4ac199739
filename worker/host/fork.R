# Isolated copies of this worker's R session (worker/host/_isolate.ts). Evaluated once per
# session: a function that installs the iso_* tools into the session's tools environment.
#
# A copy is a child forked by parallel::mcfork from the warm session (the template). It runs R
# only: it never returns into the code that called R (the JS runtime of this process lives on
# other threads, which a fork does not copy). Every way out of the copy's loop (an unwinding
# error, a jump to top level, q()) ends in parallel:::mcexit (_exit), never in the caller.
#
# Template <-> copy: one serialized message each way per request, over the pipes mcfork made
# (the copy's stdin; parallel's sendMaster/readChild). Request: list(kind, code | fn + args,
# convert). Reply: list(TRUE, value, warnings, messages) or list(FALSE, failure). Results with
# no plain form (what the host would turn into a handle) stay in the copy; the template gets a
# small marker environment (class brmsts_remote) that stands for the object in later requests.
function(tools) {
  PLAIN <- c("factor", "ordered", "Date", "POSIXct", "POSIXt", "data.frame", "table",
             "noquote", "AsIs")
  VECTOR <- c("logical", "integer", "double", "character", "list")
  state <- new.env(parent = emptyenv())
  state$child <- NULL

  # --- in the copy ---------------------------------------------------------------------------
  copy_main <- function() {
    on.exit(parallel:::mcexit(70L)) # any unwind past this frame ends the copy, here
    me <- Sys.getpid()
    quit_copy <- function(save = "default", status = 0, runLast = TRUE) {
      parallel:::mcexit(as.integer(status))
    }
    for (nm in c("q", "quit")) {
      unlockBinding(nm, baseenv())
      assign(nm, quit_copy, envir = baseenv())
      lockBinding(nm, baseenv())
    }
    reg <- new.env(parent = emptyenv())
    n <- 0L
    keep <- function(x) {
      n <<- n + 1L
      assign(as.character(n), x, envir = reg)
      m <- new.env(parent = emptyenv())
      m$copy <- me
      m$id <- n
      m$cls <- class(x)
      m$repr <- tools$repr(x)
      class(m) <- "brmsts_remote"
      m
    }
    mark <- function(x, mode) {
      if (is.null(x)) return(x)
      if (mode == "handle" || !(typeof(x) %in% VECTOR)) return(keep(x))
      cls <- oldClass(x)
      if (mode == "auto" && !is.null(cls) && !all(cls %in% PLAIN)) return(keep(x))
      if (is.list(x)) for (i in seq_along(x)) if (!is.null(x[[i]])) x[i] <- list(mark(x[[i]], mode))
      x
    }
    unmark <- function(x) {
      if (is.environment(x) && inherits(x, "brmsts_remote")) {
        if (!identical(x$copy, me) || !exists(as.character(x$id), envir = reg)) {
          stop("this R object belongs to an isolated job that has ended")
        }
        return(get(as.character(x$id), envir = reg))
      }
      if (is.list(x) && !is.object(x)) {
        for (i in seq_along(x)) {
          t <- typeof(x[[i]])
          if (t == "environment" || t == "list") x[i] <- list(unmark(x[[i]]))
        }
      }
      x
    }
    con <- file("stdin", "rb")
    repeat {
      msg <- tryCatch(unserialize(con), error = function(e) NULL)
      if (!is.list(msg)) parallel:::mcexit(0L) # the template closed the pipe
      out <- tryCatch({
        res <- if (msg$kind == "eval") {
          tools$run_text(msg$code)
        } else {
          tools$run_call(msg$fn, unmark(msg$args))
        }
        list(TRUE, mark(res[[1L]], msg$convert), res[[2L]], res[[3L]])
      }, error = function(e) {
        f <- tools$failure()
        if (is.null(f[[1L]])) {
          f[[1L]] <- list("r-error", conditionMessage(e), NULL, character(0))
        }
        list(FALSE, f)
      })
      parallel:::sendMaster(serialize(out, NULL))
    }
  }

  # --- in the template -----------------------------------------------------------------------
  # Loads every lazy-loaded object of the loaded namespaces into the template, once per
  # namespace: what a copy loads is lost with it, so without this every job would read and
  # unpack the same functions again (brms's fit path: seconds per job).
  state$warm <- character(0)
  warm <- function() {
    for (ns in setdiff(loadedNamespaces(), state$warm)) {
      e <- asNamespace(ns)
      for (n in ls(e, all.names = TRUE)) tryCatch(get(n, envir = e), error = function(e) NULL)
      state$warm <- c(state$warm, ns)
    }
  }
  tools$iso_active <- function() !is.null(state$child)
  tools$iso_begin <- function() {
    if (!is.null(state$child)) stop("this worker is already running an isolated job")
    loadNamespace("parallel")
    # A copy of a compact heap runs at the template's speed (measured: make_stancode x3 took
    # 0.95-1.2 s in a copy of an uncollected template, 0.6 s as in the template after a full
    # collection). iso_end collects while the template waits for the next job anyway.
    if (!isTRUE(state$clean)) invisible(gc(full = TRUE))
    state$clean <- FALSE
    state$before <- list.files(tempdir(), all.files = TRUE, no.. = TRUE)
    t0 <- proc.time()[[3L]]
    f <- parallel:::mcfork()
    if (inherits(f, "masterProcess")) copy_main() # never returns
    state$child <- f
    state$dead <- FALSE
    list(list(pid = f$pid, forkMs = 1000 * (proc.time()[[3L]] - t0)), NULL, NULL)
  }
  tools$iso_ok <- function() list(TRUE, NULL, NULL)
  # Sends a request to the copy; FALSE when it is gone.
  tools$iso_send <- function(kind, fn, payload, convert) {
    if (isTRUE(state$dead)) return(FALSE)
    msg <- if (kind == "eval") list(kind = kind, code = payload, convert = convert)
           else list(kind = kind, fn = fn, args = payload, convert = convert)
    ok <- tryCatch({
      parallel:::sendChildStdin(state$child, serialize(msg, NULL))
      TRUE
    }, error = function(e) FALSE)
    if (!ok) state$dead <- TRUE
    ok
  }
  # The copy's reply: NULL while it works (after waiting up to timeout seconds), else the
  # trap's list(value, warnings, messages), or "failed" with the trap's failure state set.
  tools$iso_wait <- function(timeout = 0.05) {
    reply <- "dead"
    if (!isTRUE(state$dead)) {
      s <- parallel:::selectChildren(state$child, timeout)
      if (isTRUE(s)) return(NULL)
      r <- if (is.numeric(s)) parallel:::readChild(state$child) else NULL
      if (is.raw(r)) reply <- unserialize(r) else state$dead <- TRUE
    }
    if (isTRUE(reply[[1L]])) return(reply[-1L])
    tools$iso_fail(if (identical(reply, "dead")) "dead" else reply[[2L]])
    "failed"
  }
  tools$iso_fail_message <- function(message) {
    if (identical(message, "dead")) return(tools$iso_fail("dead"))
    tools$iso_fail(list(list("r-error", message, NULL, character(0)), NULL, NULL))
  }
  # Kills the copy (an abort): later requests of the job fail; iso_end reaps it.
  tools$iso_kill <- function() {
    if (!is.null(state$child)) tools::pskill(state$child$pid, tools::SIGKILL)
    state$dead <- TRUE
    invisible(NULL)
  }
  # Sets the trap's state in the template as the copy's failure left it.
  tools$iso_fail <- function(f) {
    if (identical(f, "dead")) {
      f <- list(list("r-error", paste(
        "the isolated R copy of this job ended without answering (killed, crashed or q());",
        "the worker's template R is unharmed"), NULL, character(0)), NULL, NULL)
    }
    tools$.error <- f[[1L]]
    tools$.warnings <- f[[2L]]
    tools$.messages <- f[[3L]]
    invisible(NULL)
  }
  # Ends the copy (SIGKILL: its R state goes with it), reaps it and removes what it left in
  # the session's temp dir.
  tools$iso_end <- function() {
    f <- state$child
    if (is.null(f)) return(invisible(FALSE))
    state$child <- NULL
    tools::pskill(f$pid, tools::SIGKILL)
    for (i in 1:200) { # read to end-of-file (closes the pipes; parallel reaps the child)
      s <- parallel:::selectChildren(f, 0.05)
      if (isTRUE(s)) next
      if (is.null(s)) break
      if (!is.raw(parallel:::readChild(f))) break
    }
    left <- setdiff(list.files(tempdir(), all.files = TRUE, no.. = TRUE), state$before)
    unlink(file.path(tempdir(), left), recursive = TRUE, force = TRUE)
    invisible(gc(full = TRUE))
    state$clean <- TRUE
    invisible(TRUE)
  }
  # Handles' classes and printed form: a marker describes the copy's object.
  classes <- tools$classes
  repr <- tools$repr
  tools$classes <- function(x) if (inherits(x, "brmsts_remote")) x$cls else classes(x)
  tools$repr <- function(x) if (inherits(x, "brmsts_remote")) x$repr else repr(x)
  invisible(NULL)
}
