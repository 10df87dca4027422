#pragma once
// Item model of the neuron inspector's per-class table: core's NeuronSummary (probe weights and
// ranks) joined with the NeuronProfile's per-label activation statistics.
#include "salient/analyses/corpusanalysis.h"
#include "salient/session/results.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QJsonArray>
#include <vector>

namespace salient::ui {

/**
 * One row per class of one neuron: first the probe's classes in core's order (NeuronSummary::
 * classes, |W| descending), then the labels known only from the profile (NeuronProfile::labels,
 * vocabulary order) — so a summary without a probe (no classes) still lists the profile's labels.
 * A row's statistics are the profile label of the same name (none when the profile lacks it).
 *
 * Columns: Order (1-based row in core's order), Class, Weight W(label, column), |W|, Rank (of the
 * neuron in the class's ranking), Tokens (with this gold label), Mean and Std of the activation
 * on those tokens. Qt::DisplayRole: formatted text (em dash = not available); ValueRole: the
 * number from the core struct (NaN when not available; the name for Class); BarScaleRole on
 * Weight and Mean: the largest finite |value| of the column. GUI thread only.
 */
class NeuronClassModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Order, Class, Weight, AbsWeight, Rank, Tokens, Mean, Std, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    /// Shows @p summary's classes and @p profile's labels (both copied).
    void setNeuron(const NeuronSummary &summary, const NeuronProfile &profile);
    /// No rows.
    void clear();

    /// The class name of @p row (core's order); empty for an invalid row.
    QString className(int row) const;
    /// The probe's weight entry of @p row, or null (label known only from the profile).
    const ClassWeight *classWeight(int row) const;
    /// The profile's statistics of @p row, or null (class unknown to the profile).
    const LabelActivation *labelActivation(int row) const;

    /**
     * The rows in core's order as CSV (core's csvLine, CRLF), header
     * label,weight,abs_weight,label_rank,tokens,mean,std; numbers with csvNumber; cells of a
     * missing ClassWeight or LabelActivation are empty (a NaN statistic is "nan").
     */
    QByteArray toCsv() const;
    /**
     * The rows in core's order as JSON objects {label, weight, abs_weight, label_rank, tokens,
     * mean, std}; keys of a missing ClassWeight or LabelActivation are absent, non-finite
     * numbers are null.
     */
    QJsonArray toJson() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString name;
        int weight = -1; ///< index into m_classes, -1 = none
        int stats = -1;  ///< index into m_labels, -1 = none
    };
    double value(const Row &row, int column) const;

    std::vector<ClassWeight> m_classes;
    std::vector<LabelActivation> m_labels;
    std::vector<Row> m_rows;
    double m_maxAbsWeight = 0;
    double m_maxAbsMean = 0;
};

} // namespace salient::ui
