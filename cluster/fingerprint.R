# The platform facts a compiled Stan model depends on beyond the cache key's versions:
# the C++ compiler (R's CXX), the OS and the machine. Returns a named character vector.
local({
  r_bin <- file.path(R.home("bin"), "R")
  cxx <- tryCatch(system2(r_bin, c("CMD", "config", "CXX"), stdout = TRUE)[1],
                  error = function(e) "")
  cxx_version <- tryCatch({
    prog <- strsplit(trimws(cxx), " +")[[1]][1]
    system2(prog, "--version", stdout = TRUE)[1]
  }, error = function(e) "")
  os <- tryCatch({
    l <- readLines("/etc/os-release")
    sub('^PRETTY_NAME="?([^"]*)"?$', "\\1", l[grepl("^PRETTY_NAME=", l)])[1]
  }, error = function(e) "")
  si <- Sys.info()
  c(r = R.version.string,
    rstan = as.character(utils::packageVersion("rstan")),
    stanheaders = as.character(utils::packageVersion("StanHeaders")),
    cxx = paste(cxx, cxx_version),
    os = paste(si[["sysname"]], si[["machine"]], os))
})
