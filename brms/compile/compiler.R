# The R side of brmsts's compiler settings for Stan models (rstan backend): a user Makevars
# given to R CMD SHLIB through R_MAKEVARS_USER for brmsts's own compiles only, which adds -g0
# (no debug info: same machine code, a far smaller shared object) and, once built, a
# precompiled header (PCH) of the headers every rstan model includes first.
#
# The PCH is built by R CMD SHLIB itself, through the same Makeconf, the same rstan plugin
# flags and the same make arguments as a real model compile, so its flags match by
# construction; a tiny probe file is then compiled with -Werror=invalid-pch to prove that
# g++ accepts it.

# The headers a model compiled by rstan 2.21 sees first, in its order: the plugin's
# -include (Eigen.hpp), then the includes rstan puts before the generated code.
brmsts_cc_headers <- function() {
  flags <- inline::getPlugin("rstan")$env$PKG_CPPFLAGS
  forced <- regmatches(flags, gregexpr("-include\\s+('[^']*'|\"[^\"]*\"|\\S+)", flags))[[1]]
  forced <- gsub("^-include\\s+|['\"]", "", forced)
  all <- c(sprintf('#include "%s"', forced),
           "#include <Rcpp.h>",
           "#include <rstan/io/rlist_ref_var_context.hpp>",
           "#include <rstan/io/r_ostream.hpp>",
           "#include <rstan/stan_args.hpp>",
           "#include <boost/integer/integer_log2.hpp>",
           "#include <stan/model/model_header.hpp>")
  # For tests of the build logic: BRMSTS_PCH_HEADERS=n keeps the first n (a far cheaper header).
  n <- suppressWarnings(as.integer(Sys.getenv("BRMSTS_PCH_HEADERS", "")))
  if (!is.na(n) && n >= 1L) all[seq_len(min(n, length(all)))] else all
}

# The user's own Makevars (what R CMD SHLIB would read without brmsts), or "".
brmsts_cc_user_makevars <- function(ours) {
  f <- tools:::makevars_user()
  if (length(f) && nzchar(f) && normalizePath(f, mustWork = FALSE) != normalizePath(ours, mustWork = FALSE)) f else ""
}

brmsts_cc_makevars_text <- function(user) {
  c("# Written by brmsts for the Stan models it compiles (R_MAKEVARS_USER of those compiles only).",
    if (nzchar(user)) sprintf("-include %s", user),
    "# No debug information: the same machine code, a far smaller shared object.",
    "CXXFLAGS += -g0", "CXX11FLAGS += -g0", "CXX14FLAGS += -g0", "CXX17FLAGS += -g0",
    "# The assembler reads the compiler's output through a pipe, as it is written (the same object).",
    "CXX14FLAGS += -pipe",
    "# The precompiled header goes into the C++ compiler command itself (C compiles never see",
    "# it), ahead of rstan's own -include of Eigen.hpp, so it is the first include.",
    "CXX14STD += $(if $(BRMSTS_PCH),-include $(BRMSTS_PCH) -Winvalid-pch $(BRMSTS_PCH_STRICT))",
    "# Link-time optimisation when brmsts sets BRMSTS_LTO for a compile (-flto=auto). CXX14STD is",
    "# in both the compile and the link command, so the back end runs at link time, split into",
    "# parallel jobs: the same floating-point operations, another core used.",
    "CXX14STD += $(BRMSTS_LTO)",
    "ifneq ($(BRMSTS_PCH_OUT),)",
    "$(OBJECTS): $(BRMSTS_PCH_OUT)",
    "$(BRMSTS_PCH_OUT): BRMSTS_PCH :=",
    "$(BRMSTS_PCH_OUT):",
    "\t$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -x c++-header $(BRMSTS_PCH_SRC) -o $(BRMSTS_PCH_OUT)",
    "endif")
}

brmsts_cc_first_line <- function(cmd, args) {
  out <- tryCatch(suppressWarnings(system2(cmd, args, stdout = TRUE, stderr = TRUE)),
                  error = function(e) "")
  if (length(out)) out[[1]] else ""
}

brmsts_cc_memo <- new.env(parent = emptyenv())

# The first line of `cxx --version`, once per session and compiler.
brmsts_cc_version <- function(cxx) {
  key <- paste0("version:", cxx)
  if (is.null(brmsts_cc_memo[[key]])) brmsts_cc_memo[[key]] <- brmsts_cc_first_line(cxx, "--version")
  brmsts_cc_memo[[key]]
}

# The link-time optimisation flag for compiler `cxx`: "-flto=auto" for GCC 10 or later (the
# "auto" job count came with GCC 10), "" otherwise or when BRMSTS_LTO is 0/off/false/no.
# BRMSTS_LTO_FLAGS replaces the flag (tests use it to make the LTO compile fail).
brmsts_cc_lto <- function(cxx) {
  if (tolower(Sys.getenv("BRMSTS_LTO", "")) %in% c("0", "off", "false", "no")) return("")
  custom <- Sys.getenv("BRMSTS_LTO_FLAGS", "")
  if (nzchar(custom)) return(custom)
  v <- brmsts_cc_version(cxx)
  if (!grepl("(g\\+\\+|GCC)", v) || grepl("clang", v, ignore.case = TRUE)) return("")
  major <- suppressWarnings(as.integer(sub("^.*\\s([0-9]+)\\.[0-9]+(\\.[0-9]+)?(\\s.*)?$", "\\1", v)))
  if (is.na(major) || major < 10L) "" else "-flto=auto"
}

# GLIBC_TUNABLES for the compiler processes: glibc (2.35 or later) backs malloc with transparent
# huge pages, so g++ takes far fewer page faults. Other glibc versions ignore the tunable; the
# compiler's output does not depend on it.
brmsts_cc_tunables <- function() {
  old <- Sys.getenv("GLIBC_TUNABLES", "")
  if (grepl("glibc.malloc.hugetlb", old, fixed = TRUE)) return(old)
  if (nzchar(old)) paste0(old, ":glibc.malloc.hugetlb=1") else "glibc.malloc.hugetlb=1"
}

# Everything the PCH depends on, as text (brmsts hashes it into the fingerprint), and the
# text of the Makevars file. `ours` is the path brmsts will write the Makevars to.
brmsts_cc_plan <- function(ours) {
  if (!requireNamespace("rstan", quietly = TRUE) || !requireNamespace("inline", quietly = TRUE)) {
    return(list(problem = "rstan or inline is not installed"))
  }
  v <- function(p) if (nzchar(system.file(package = p))) as.character(utils::packageVersion(p)) else ""
  user <- brmsts_cc_user_makevars(ours)
  read <- function(f) if (nzchar(f) && file.exists(f)) paste(readLines(f, warn = FALSE), collapse = "\n") else ""
  site <- Sys.getenv("R_MAKEVARS_SITE", file.path(R.home("etc"), "Makevars.site"))
  makevars <- brmsts_cc_makevars_text(user)
  if (is.null(brmsts_cc_memo$cxx)) {
    brmsts_cc_memo$cxx <- strsplit(trimws(brmsts_cc_first_line(
      file.path(R.home("bin"), "R"), c("CMD", "config", "CXX14"))), " ")[[1]][1]
  }
  cxx <- brmsts_cc_memo$cxx
  facts <- c(
    "brmsts-pch-v1", R.version.string, R.version$platform,
    paste("rstan", v("rstan")), paste("StanHeaders", v("StanHeaders")), paste("Rcpp", v("Rcpp")),
    paste("RcppEigen", v("RcppEigen")), paste("RcppParallel", v("RcppParallel")),
    paste("BH", v("BH")), paste("inline", v("inline")),
    paste("compiler", cxx, brmsts_cc_version(cxx),
          brmsts_cc_first_line(cxx, "-dumpmachine")),
    "plugin:", inline::getPlugin("rstan")$env$PKG_CPPFLAGS,
    "Makeconf:", read(file.path(R.home("etc"), "Makeconf")),
    "site:", read(site), "user:", read(user),
    "makevars:", makevars, "header:", brmsts_cc_headers())
  list(problem = "", facts = paste(facts, collapse = "\n"), makevars = paste(makevars, collapse = "\n"),
       header = paste(brmsts_cc_headers(), collapse = "\n"), lto = brmsts_cc_lto(cxx),
       rscript = file.path(R.home("bin"), "Rscript"))
}

# Runs thunk() with the environment variables `vars` (a named list or character vector) set,
# and restores each one (or unsets it, if it was unset) afterwards, also on error.
brmsts_with_env <- function(vars, thunk) {
  vars <- as.list(vars)
  old <- Sys.getenv(names(vars), unset = NA, names = TRUE)
  do.call(Sys.setenv, vars)
  on.exit(for (n in names(old)) if (is.na(old[[n]])) Sys.unsetenv(n) else do.call(Sys.setenv, as.list(old[n])))
  thunk()
}

# Runs R CMD SHLIB on `file` in its directory with rstan's plugin settings and our Makevars;
# `env` holds extra environment variables. Returns list(status, output).
brmsts_cc_shlib <- function(file, makevars, env) {
  plugin <- inline::getPlugin("rstan")$env
  vars <- c(plugin, list(USE_CXX14 = "1", R_MAKEVARS_USER = makevars,
                         GLIBC_TUNABLES = brmsts_cc_tunables()), env)
  owd <- setwd(dirname(file))
  on.exit(setwd(owd), add = TRUE)
  out <- brmsts_with_env(vars, function() {
    suppressWarnings(system2(file.path(R.home("bin"), "R"), c("CMD", "SHLIB", shQuote(basename(file))),
                             stdout = TRUE, stderr = TRUE))
  })
  status <- attr(out, "status")
  list(status = if (is.null(status)) 0L else as.integer(status), output = paste(out, collapse = "\n"))
}

# Builds the PCH in `dir` (header brmsts_stan.hpp, Makevars, probe): "" on success, else why.
brmsts_cc_build <- function(dir, makevars_text, header_text) {
  hdr <- file.path(dir, "brmsts_stan.hpp")
  writeLines(header_text, hdr)
  mv <- file.path(dir, "brmsts.mk") # not "Makevars": R CMD SHLIB reads that one on its own
  writeLines(makevars_text, mv)
  probe <- file.path(dir, "brmsts_probe.cpp")
  writeLines(c("#include <Rcpp.h>", "// [[Rcpp::export]]", "int brmsts_probe() { return 0; }"), probe)
  r <- brmsts_cc_shlib(probe, mv, list(BRMSTS_PCH = hdr, BRMSTS_PCH_SRC = hdr,
                                       BRMSTS_PCH_OUT = paste0(hdr, ".gch"),
                                       BRMSTS_PCH_STRICT = "-Werror=invalid-pch"))
  unlink(file.path(dir, c("brmsts_probe.o", "brmsts_probe.so")))
  if (r$status != 0L || !file.exists(paste0(hdr, ".gch"))) {
    return(paste0("the precompiled header could not be built or used (status ", r$status, "): ",
                  paste(utils::tail(strsplit(r$output, "\n")[[1]], 5), collapse = " | ")))
  }
  ""
}

# Runs thunk() with the compiler settings `cc` (list(makevars, pch, lto); pch may be NULL, lto
# "") in force for R CMD SHLIB. A compile that fails is retried without link-time optimisation,
# then without the PCH too (never a failed fit because of either). While the PCH is in use the
# compiler is known to work (the PCH build compiled and linked a probe with it), so pkgbuild's
# check that compiles a C file first (~0.3 s) is skipped. Returns
# list(value, pch = "used" | "off" | "failed: <why>", lto = "used" | "off" | "failed: <why>").
brmsts_cc_with <- function(cc, thunk) {
  if (is.null(cc)) return(list(value = thunk(), pch = "off", lto = "off"))
  lto <- if (is.null(cc$lto)) "" else as.character(cc$lto)
  run <- function(pch, lto) {
    vars <- c(R_MAKEVARS_USER = cc$makevars, BRMSTS_PCH = if (is.null(pch)) "" else pch,
              BRMSTS_LTO = lto, GLIBC_TUNABLES = brmsts_cc_tunables())
    opt <- if (!is.null(pch) && is.null(getOption("pkgbuild.has_compiler"))) {
      options(pkgbuild.has_compiler = TRUE)
    }
    on.exit(if (!is.null(opt)) options(opt))
    brmsts_with_env(vars, thunk)
  }
  # Each fallback step drops one lever ("drops"); its failure message is kept for that lever.
  steps <- list(list(pch = cc$pch, lto = lto))
  if (nzchar(lto)) steps <- c(steps, list(list(pch = cc$pch, lto = "", drops = "lto")))
  if (!is.null(cc$pch)) steps <- c(steps, list(list(pch = NULL, lto = "", drops = "pch")))
  label <- c(lto = "link-time optimisation", pch = "the precompiled header")
  why <- list(pch = NULL, lto = NULL)
  for (i in seq_along(steps)) {
    t <- steps[[i]]
    got <- if (i == length(steps)) list(value = run(t$pch, t$lto))
      else tryCatch(list(value = run(t$pch, t$lto)), error = function(e) e)
    if (!inherits(got, "error")) break
    dropped <- steps[[i + 1L]]$drops
    why[[dropped]] <- conditionMessage(got)
    message("brmsts: the compile with ", label[[dropped]], " failed (", why[[dropped]],
            "); compiling again without it")
  }
  state <- function(asked, used, fail) if (!asked) "off" else if (used) "used" else paste0("failed: ", fail)
  got$pch <- state(!is.null(cc$pch), !is.null(t$pch), why$pch)
  got$lto <- state(nzchar(lto), nzchar(t$lto), why$lto)
  got
}
