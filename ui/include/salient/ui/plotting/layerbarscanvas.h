#pragma once
// View 4 (DESIGN.md §4): where the top-k neurons live — neurons per layer, one or two models.
#include "salient/analyses/analyses.h"
#include "salient/ui/plotting/plotcanvas.h"

#include <QStringList>

#include <vector>

class QCPLayoutGrid;

namespace salient::ui {

/**
 * Bars of LayerDistribution::counts per layer (x = original layer id, integer ticks; y = number
 * of neurons of the top k, integer ticks), with the count above each bar when there is room
 * and a dashed vertical line at each distribution's mean layer. Two distributions (two models,
 * or overall vs one label) are drawn side by side in colour-blind-safe blue and orange with a
 * legend above the plot. GUI thread only.
 */
class LayerBarsCanvas : public PlotCanvas {
    Q_OBJECT
public:
    explicit LayerBarsCanvas(QWidget *parent = nullptr);
    ~LayerBarsCanvas() override;

    /// Shows one distribution; @p name labels it in the legend (empty = no legend).
    void setDistribution(const LayerDistribution &distribution, const QString &name = {});
    /// Shows two distributions side by side (e.g. two models) with a legend.
    void setDistributions(const LayerDistribution &a, const QString &nameA,
                          const LayerDistribution &b, const QString &nameB);
    /// Removes everything.
    void clear();

    /// Number of distributions shown (0–2).
    int seriesCount() const;
    /// Distribution @p index as shown (0 ≤ index < seriesCount()).
    const LayerDistribution &distribution(int index) const { return m_series.at(size_t(index)); }

    /// `layer,<name 1>[,<name 2>]`: one row per layer id (union of both), counts (0 when a
    /// model lacks the layer). Unnamed series are called "count" / "count 2".
    QByteArray csv() const override;

    /// Shows all layers and the tallest bar.
    void resetView() override;

private:
    void rebuild();

    std::vector<LayerDistribution> m_series;
    QStringList m_names;
    QCPLayoutGrid *m_legendRow =
        nullptr; ///< legend row; QObject child of the plot while out of the layout
};

} // namespace salient::ui
