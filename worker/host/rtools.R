# Closures the SEXP reader and writer call (worker/host/rtools.ts) where R's own C code is
# faster than element-wise FFI.
list(
  uniq = function(x) { u <- unique.default(x); list(u, match(x, u)) },
  take = function(u, i) u[i],
  rn = function(x) .row_names_info(x, 0L),
  utf8z = function(r, n) readBin(r, "character", n)
)
