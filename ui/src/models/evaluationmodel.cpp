#include "salient/ui/models/evaluationmodel.h"

#include <cmath>

namespace salient::ui {

void EvaluationModel::setReport(const ProbeReport *report)
{
    beginResetModel();
    m_rows = report ? report->splits : std::vector<SplitEvaluation>{};
    m_regression = report && report->options.regression;
    endResetModel();
}

int EvaluationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EvaluationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EvaluationModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const SplitEvaluation &s = m_rows[size_t(index.row())];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double value = nan;
    switch (index.column()) {
    case Split:
        return role == Qt::DisplayRole || role == Qt::UserRole ? QVariant(s.split) : QVariant();
    case Tokens:
        value = double(s.tokens);
        break;
    case Accuracy:
        value = m_regression ? nan : s.evaluation.accuracy;
        break;
    case MacroF1:
        value = m_regression ? nan : s.evaluation.macroF1;
        break;
    case Majority:
        value = s.majorityAccuracy;
        break;
    case Mse:
        value = m_regression ? s.evaluation.mse : nan;
        break;
    case Mismatched:
        value = s.mismatchedLines;
        break;
    default:
        return {};
    }
    if (role == Qt::UserRole)
        return value;
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Majority && !s.majorityLabel.isEmpty())
        return tr("Always predicting \"%1\" (the train majority label)").arg(s.majorityLabel);
    // Repeated probes (option seeds): mean ± sd over the seeds; the raw value (UserRole) stays
    // the primary probe's.
    const SeedSummary *seeds = index.column() == Accuracy  ? &s.accuracySeeds
                               : index.column() == MacroF1 ? &s.macroF1Seeds
                               : index.column() == Mse     ? &s.mseSeeds
                                                           : nullptr;
    const bool repeated = seeds && seeds->n > 1 && std::isfinite(value);
    const int decimals = index.column() == Mse ? 4 : 3;
    if (role == Qt::ToolTipRole && repeated)
        return tr("Mean ± sample sd over %1 seeds (median %2, range %3 – %4); the primary probe "
                  "(first seed): %5")
            .arg(seeds->n)
            .arg(seeds->median, 0, 'f', 4)
            .arg(seeds->min, 0, 'f', 4)
            .arg(seeds->max, 0, 'f', 4)
            .arg(value, 0, 'f', 4);
    if (role != Qt::DisplayRole)
        return {};
    if (!std::isfinite(value))
        return QStringLiteral("–");
    if (repeated)
        return tr("%1 (%2 seeds)").arg(seeds->text(decimals)).arg(seeds->n);
    if (index.column() == Tokens || index.column() == Mismatched)
        return QString::number(qint64(value));
    return QString::number(value, 'f', 4);
}

QVariant EvaluationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    static const char *const names[] = {"Split",    "Tokens", "Accuracy",        "Macro-F1",
                                        "Majority", "MSE",    "Mismatched lines"};
    static const char *const tips[] = {
        "Data split",
        "Tokens evaluated",
        "Probe accuracy on this split",
        "Mean F1 over the classes present",
        "Majority-class baseline: accuracy of always predicting the train majority label",
        "Mean squared error (regression)",
        "Token/label lines dropped because their lengths did not match"};
    if (section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return tr(names[section]);
    if (role == Qt::ToolTipRole)
        return tr(tips[section]);
    return {};
}

} // namespace salient::ui
