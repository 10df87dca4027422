#pragma once
// Summary statistics of repeated runs (seeds): the one convention for "mean ± sd" in results,
// JSON and views (issue "results a careful researcher can publish").
#include <QString>
#include <vector>

namespace salient {

/// Mean, sample standard deviation (ddof = 1), median and range of N repetitions. NaN values
/// (e.g. a missing test split) are skipped; n counts the finite ones. With n = 0 every number
/// is NaN; with n = 1 sd is NaN (one run has no spread) and the others equal the value.
struct SeedSummary {
    int n = 0;
    double mean = 0, sd = 0, median = 0, min = 0, max = 0;
    /// "0.883 ± 0.004" (fractions shown with @p decimals), "0.883" when sd is NaN, "—" when n = 0.
    QString text(int decimals = 3) const;
};
SeedSummary summarizeSeeds(const std::vector<double> &values);

} // namespace salient
