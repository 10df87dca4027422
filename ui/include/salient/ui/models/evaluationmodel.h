#pragma once
// Item model of a probe's evaluation per split (View "Probe" of the Run area and the report).
#include "salient/session/results.h"

#include <QAbstractTableModel>

namespace salient::ui {

/**
 * One row per split of a ProbeReport (train, dev, test as loaded): tokens, accuracy, macro-F1,
 * the majority-class baseline (accuracy of always predicting the train majority label) and the
 * token lines dropped as mismatched; regression probes show the MSE instead of the accuracies.
 * Display role: formatted text; Qt::UserRole: the raw number (NaN when not available).
 * GUI thread only.
 */
class EvaluationModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Split, Tokens, Accuracy, MacroF1, Majority, Mse, Mismatched, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;
    /// Shows @p report's splits (copied); null clears.
    void setReport(const ProbeReport *report);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<SplitEvaluation> m_rows;
    bool m_regression = false;
};

} // namespace salient::ui
