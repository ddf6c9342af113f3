# Reference values for chiso's design-based statistics, computed with R's survey package.
#
# Generates a deterministic two-stage sample (set.seed), writes it as CSV, reads it back (so R and
# the TypeScript tests start from the same digits) and computes, for several designs, item
# estimates (svymean on the valid answers), Korn-Graubard intervals (svyciprop, method = "beta"),
# t intervals, design effects (both kinds), composites (svycontrast on svyratio with covmat) and
# the composites' design effects (svymean of their linearised variable), plus post-stratified and
# raked weights and a grid of qbeta / qt values.
#
#   Rscript scripts/r/reference-statistics.R [output directory]   (default test/statistics/fixtures)
#
# The fixtures are committed; test/statistics/fixtures-current.test.ts reruns this script when R
# is installed (scripts/install-r.sh) and checks that its output is unchanged.

suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else "test/statistics/fixtures"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# ---------------------------------------------------------------- JSON writer (no packages)
num <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.17g", x)
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      parts <- mapply(function(k, v) paste0("\"", k, "\": ", to_json(v)), names(x), x)
      return(paste0("{", paste(parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ", "), "]"))
  }
  if (is.character(x)) {
    s <- paste0("\"", x, "\"")
    return(if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]"))
  }
  if (is.logical(x) && length(x) == 1) return(if (is.na(x)) "null" else tolower(as.character(x)))
  v <- vapply(as.numeric(x), num, "")
  if (length(x) == 1 && is.null(attr(x, "array"))) v else paste0("[", paste(v, collapse = ", "), "]")
}
write_json <- function(x, file) writeLines(to_json(x), file.path(out, file))

# ---------------------------------------------------------------- the sample
set.seed(20261201)
psu_per_stratum <- c(S1 = 4, S2 = 4, S3 = 3, S4 = 3, S5 = 4, S6 = 2)
villages <- data.frame(
  stratum = rep(names(psu_per_stratum), psu_per_stratum),
  stringsAsFactors = FALSE
)
villages$psu <- sprintf("V%02d", seq_len(nrow(villages)))
villages$district <- ifelse(ave(seq_len(nrow(villages)), villages$stratum, FUN = seq_along) <= 2, "DA", "DB")
villages$population <- sample(80:400, nrow(villages), replace = TRUE)
villages$effect <- rnorm(nrow(villages), 0, 0.8)
villages$m <- sample(12:26, nrow(villages), replace = TRUE)
# Households in the stratum's whole population (the sampled villages' plus the others'), and
# villages in the stratum's population (for the FPC).
stratum_population <- tapply(villages$population, villages$stratum, sum) * c(5, 6, 4, 7, 5, 3)
stratum_villages <- psu_per_stratum * c(6, 7, 5, 9, 6, 4)

rating <- function(latent) as.integer(cut(latent, c(-Inf, -1.2, -0.4, 0.3, 1.1, Inf)))
rows <- list()
for (v in seq_len(nrow(villages))) {
  m <- villages$m[v]
  latent <- villages$effect[v] + rnorm(m)
  sex <- ifelse(runif(m) < 0.45 + 0.1 * (villages$effect[v] > 0), "F", "M")
  age <- sample(c("18-34", "35-54", "55+"), m, replace = TRUE, prob = c(0.3, 0.4, 0.3))
  item <- function(offset, spread = 0.9, dk = 0.06) {
    r <- rating(latent + offset + rnorm(m, 0, spread))
    r[runif(m) < dk] <- 9L
    r
  }
  q5 <- ifelse(latent + rnorm(m) > 0.2, 1L, 2L)
  q5[runif(m) < 0.04] <- 9L
  rows[[v]] <- data.frame(
    stratum = villages$stratum[v], psu = villages$psu[v], district = villages$district[v],
    sex = sex, age = age,
    q1 = item(0.3), q2 = item(-0.2), q3 = item(0.6, 1.2, 0.1), q4 = item(0), q5 = q5,
    stringsAsFactors = FALSE
  )
}
d <- do.call(rbind, rows)
d$id <- sprintf("R%04d", seq_len(nrow(d)))
# PPS of villages by households, then households within the village: w = M_h / (n_h · m_hi).
m_realised <- table(d$psu)
d$weight <- as.numeric(stratum_population[d$stratum]) / (as.numeric(psu_per_stratum[d$stratum]) * as.numeric(m_realised[d$psu]))
d <- d[, c("id", "stratum", "psu", "district", "sex", "age", "weight", "q1", "q2", "q3", "q4", "q5")]
d$weight <- sprintf("%.17g", d$weight)
write.csv(d, file.path(out, "respondents.csv"), row.names = FALSE, quote = FALSE)
d <- read.csv(file.path(out, "respondents.csv"), stringsAsFactors = FALSE)

# Population margins for post-stratification (sex × age) and raking (sex, age), in households.
total <- sum(d$weight) * 1.04
cells <- expand.grid(sex = c("F", "M"), age = c("18-34", "35-54", "55+"), stringsAsFactors = FALSE)
cells$Freq <- round(total * c(0.16, 0.15, 0.19, 0.2, 0.14, 0.16))
cells$ps <- paste(cells$sex, cells$age, sep = ":")
sex_margin <- data.frame(sex = c("F", "M"), Freq = round(total * c(0.47, 0.53)))
age_margin <- data.frame(age = c("18-34", "35-54", "55+"), Freq = c(0, 0, 0))
age_margin$Freq <- round(sum(sex_margin$Freq) * c(0.32, 0.39, 0.29))
age_margin$Freq[3] <- sum(sex_margin$Freq) - sum(age_margin$Freq[1:2])

write_json(list(
  psuPerStratum = as.list(psu_per_stratum),
  stratumPopulation = as.list(stratum_population),
  stratumVillages = as.list(stratum_villages),
  villagePopulation = as.list(setNames(villages$population, villages$psu)),
  postStrata = setNames(as.list(cells$Freq), cells$ps),
  rakeSex = setNames(as.list(sex_margin$Freq), sex_margin$sex),
  rakeAge = setNames(as.list(age_margin$Freq), age_margin$age),
  srsPopulation = 20000
), "design-inputs.json")

# ---------------------------------------------------------------- item scores
# q1–q3: share of 4 or 5 among 1..5; q4: normalised mean (v − 1)/4; q5: share of 1 among 1..2. 9 = don't know.
score <- function(q, v) {
  if (q == "q4") ifelse(v == 9, NA, (v - 1) / 4)
  else if (q == "q5") ifelse(v == 9, NA, as.numeric(v == 1))
  else ifelse(v == 9, NA, as.numeric(v >= 4))
}
items <- c("q1", "q2", "q3", "q4", "q5")
proportion <- c(q1 = TRUE, q2 = TRUE, q3 = TRUE, q4 = FALSE, q5 = TRUE)
for (q in items) {
  s <- score(q, d[[q]])
  d[[paste0("x_", q)]] <- as.numeric(!is.na(s))
  d[[paste0("y_", q)]] <- ifelse(is.na(s), 0, s)
}
d$ps <- paste(d$sex, d$age, sep = ":")
d$N_psu <- as.numeric(stratum_villages[d$stratum])
d$N_srs <- 20000
d$stratumL <- ifelse(d$psu == "V19", "S6a", ifelse(d$psu == "V20", "S6b", d$stratum))

composites <- list(
  mean123 = list(expr = quote((`y_q1/x_q1` + `y_q2/x_q2` + `y_q3/x_q3`) / 3), gradient = function(r) c(1, 1, 1, 0, 0) / 3),
  weighted = list(expr = quote((`y_q1/x_q1` + 2 * `y_q2/x_q2` + `y_q3/x_q3` + `y_q4/x_q4` + 3 * `y_q5/x_q5`) / 8), gradient = function(r) c(1, 2, 1, 1, 3) / 8),
  nonlinear = list(expr = quote(`y_q1/x_q1` * `y_q4/x_q4` / `y_q2/x_q2`), gradient = function(r) c(r[4] / r[2], -r[1] * r[4] / r[2]^2, 0, r[1] / r[2], 0))
)

deff_of <- function(m) { v <- as.numeric(deff(m)); if (length(v) == 0) NA else v }

item_stats <- function(des, domain, q) {
  dom <- subset(des, eval(domain) & des$variables[[paste0("x_", q)]] == 1)
  f <- as.formula(paste0("~y_", q))
  m <- svymean(f, dom, deff = TRUE)
  mr <- suppressWarnings(svymean(f, dom, deff = "replace"))
  w <- weights(dom)
  w <- w[w > 0]
  df <- degf(dom)
  ci <- if (proportion[[q]]) {
    as.numeric(attr(svyciprop(as.formula(paste0("~y_", q)), dom, method = "beta"), "ci"))
  } else {
    as.numeric(confint(m, df = df))
  }
  # The same through svyratio on the whole design (domain estimation is a ratio). Not under
  # "average", where R scales by the strata a subset keeps, which differ between the two.
  r <- svyratio(as.formula(paste0("~I(y_", q, " * dom_", ")")), as.formula(paste0("~I(x_", q, " * dom_)")), des)
  stopifnot(isTRUE(all.equal(as.numeric(coef(r)), as.numeric(coef(m)), tolerance = 1e-12)))
  if (getOption("survey.lonely.psu") != "average") stopifnot(isTRUE(all.equal(as.numeric(SE(r)), as.numeric(SE(m)), tolerance = 1e-10)))
  list(item = q, estimate = as.numeric(coef(m)), se = as.numeric(SE(m)), deffWithoutReplacement = deff_of(m),
       deffReplace = deff_of(mr), n = length(w), nEffKish = sum(w)^2 / sum(w^2), df = df,
       ci = list(lo = ci[1], hi = ci[2], method = if (proportion[[q]]) "korn-graubard" else "t"))
}

composite_stats <- function(des, domain) {
  dom <- subset(des, eval(domain))
  rat <- svyratio(~y_q1 + y_q2 + y_q3 + y_q4 + y_q5, ~x_q1 + x_q2 + x_q3 + x_q4 + x_q5, dom, covmat = TRUE)
  r <- diag(matrix(coef(rat), 5, 5))
  lapply(names(composites), function(name) {
    spec <- composites[[name]]
    con <- svycontrast(rat, setNames(list(spec$expr), name))
    est <- as.numeric(coef(con))
    se <- as.numeric(SE(con))
    df <- degf(dom)
    ci <- est + c(-1, 1) * qt(0.975, df) * se
    # Its linearised variable z_i = N̂ Σ_k g_k (y_k − R_k x_k) / X_k, whose svymean has the same variance
    # and, with deff = TRUE, the composite's design effect.
    vars <- dom$variables
    inside <- weights(dom) > 0
    N <- sum(weights(dom))
    g <- spec$gradient(r)
    z <- rep(0, nrow(vars))
    for (k in 1:5) {
      X <- sum(weights(dom) * vars[[paste0("x_", items[k])]])
      z <- z + N * g[k] * (vars[[paste0("y_", items[k])]] - r[k] * vars[[paste0("x_", items[k])]]) / X
    }
    dom$variables$z_ <- ifelse(inside, z, 0)
    mz <- svymean(~z_, dom, deff = TRUE)
    mzr <- suppressWarnings(svymean(~z_, dom, deff = "replace"))
    stopifnot(isTRUE(all.equal(as.numeric(SE(mz)), se, tolerance = 1e-9)))
    w <- weights(dom)
    w <- w[w > 0]
    list(name = name, estimate = est, se = se, df = df, ci = list(lo = ci[1], hi = ci[2], method = "t"),
         deffWithoutReplacement = deff_of(mz), deffReplace = deff_of(mzr), n = length(w), nEffKish = sum(w)^2 / sum(w^2))
  })
}

run_design <- function(name, des, lonely = "fail", domains = list(all = quote(TRUE))) {
  options(survey.lonely.psu = lonely)
  lapply(names(domains), function(dn) {
    des$variables$dom_ <- as.numeric(eval(domains[[dn]], des$variables))
    list(design = name, domain = dn, lonelyPsu = lonely, rows = nrow(des),
         items = lapply(items, function(q) item_stats(des, domains[[dn]], q)),
         composites = composite_stats(des, domains[[dn]]))
  })
}

results <- list()
add <- function(x) results <<- c(results, x)

two_stage <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d)
add(run_design("two-stage", two_stage, domains = list(all = quote(TRUE), district = quote(district == "DA"))))
add(run_design("two-stage-fpc", svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, fpc = ~N_psu, data = d)))
add(run_design("two-stage-no-strata", svydesign(ids = ~psu, weights = ~weight, data = d)))
add(run_design("srs", svydesign(ids = ~1, data = d)))
add(run_design("srs-fpc", svydesign(ids = ~1, fpc = ~N_srs, data = d)))
lonely_design <- svydesign(ids = ~psu, strata = ~stratumL, weights = ~weight, data = d)
# District DB has no village of the lonely strata: R's "average" then scales by the domain's strata only.
for (rule in c("remove", "certainty", "adjust", "average")) {
  add(run_design(paste0("lonely-", rule), lonely_design, lonely = rule, domains = list(all = quote(TRUE), districtB = quote(district == "DB"))))
}
options(survey.lonely.psu = "fail")
lonely_fails <- inherits(try(svymean(~y_q1, lonely_design), silent = TRUE), "try-error")

post <- postStratify(two_stage, ~ps, data.frame(ps = cells$ps, Freq = cells$Freq))
add(run_design("post-stratified", post, domains = list(all = quote(TRUE), district = quote(district == "DA"))))

raked <- rake(two_stage, list(~sex, ~age), list(sex_margin, age_margin))
d$raked_weight <- weights(raked)
add(run_design("raked-weights-given", svydesign(ids = ~psu, strata = ~stratum, weights = ~raked_weight, data = d)))
add(run_design("raked", raked))
raked_se <- as.numeric(SE(svymean(~y_q1, subset(raked, x_q1 == 1))))

# ---------------------------------------------------------------- distributions
grid <- list()
for (p in c(0.025, 0.5, 0.975)) for (a in c(0.5, 2.3, 17.8, 310.4, 25000.5)) for (b in c(0.7, 5.1, 99.9, 8000.25)) {
  grid[[length(grid) + 1]] <- list(p = p, a = a, b = b, q = qbeta(p, a, b))
}
tgrid <- lapply(c(1, 2, 3, 5, 14, 19, 30, 119, 372, 5000, 1e6), function(df) list(df = df, q975 = qt(0.975, df), q025 = qt(0.025, df)))

write_json(list(
  survey = as.character(packageVersion("survey")),
  designs = results,
  lonelyFailErrors = lonely_fails,
  postStratifiedWeights = as.numeric(weights(post)),
  rakedWeights = as.numeric(weights(raked)),
  rakedDesignSeQ1 = raked_se,
  qbeta = grid,
  qt = tgrid
), "reference.json")
