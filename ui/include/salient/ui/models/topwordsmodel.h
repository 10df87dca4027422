#pragma once
// Item model of the neuron inspector's top-words table: core's TopWord list of a NeuronProfile.
#include "salient/analyses/corpusanalysis.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QJsonArray>
#include <vector>

namespace salient::ui {

/**
 * One row per top word in core's order (score descending, NeuroX get_top_words). Columns: Order
 * (1-based row in core's order), Word, Score (normalised mean |z|), Mean activation (signed),
 * Count (tokens of the type). Qt::DisplayRole: formatted text; ValueRole: the number from the
 * TopWord (the word for Word); BarScaleRole on Mean activation: the largest finite |mean|.
 * GUI thread only.
 */
class TopWordsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Order, Word, Score, MeanActivation, Count, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    /// Shows @p words (copied, core's order kept).
    void setWords(const std::vector<TopWord> &words);
    /// No rows.
    void clear();
    /// The words shown, in core's order.
    const std::vector<TopWord> &words() const { return m_words; }

    /// The rows in core's order as CSV (core's csvLine, CRLF), header
    /// word,score,mean_abs_z,mean_activation,count; numbers with csvNumber.
    QByteArray toCsv() const;
    /// The rows in core's order as JSON objects {word, score, mean_abs_z, mean_activation,
    /// count}; non-finite numbers are null.
    QJsonArray toJson() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<TopWord> m_words;
    double m_maxAbsMean = 0;
};

} // namespace salient::ui
