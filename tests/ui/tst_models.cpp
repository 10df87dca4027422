// The item models over core results (ui/models): rows and values equal the core structs, the
// sorting proxy orders by the numbers, and CSV/JSON are formatted from the structs.
#include "salient/ui/models/neuronclassmodel.h"
#include "salient/ui/models/tablevalues.h"
#include "salient/ui/models/topwordsmodel.h"

#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using salient::ui::BarScaleRole;
using salient::ui::NeuronClassModel;
using salient::ui::TopWordsModel;
using salient::ui::ValueRole;
using salient::ui::ValueSortProxyModel;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();

/// A probe's view of one neuron, core's order (|W| descending): NN, VBD, ",", DT.
salient::NeuronSummary summary()
{
    salient::NeuronSummary s;
    s.id = {2, 5};
    s.column = 5;
    s.flatIndex = 21;
    s.overallRank = 3;
    s.neurons = 8;
    s.classes = {{1, QStringLiteral("NN"), 2.5, 2.5, 1},
                 {2, QStringLiteral("VBD"), -0.75, 0.75, 4},
                 {3, QStringLiteral(","), 0.5, 0.5, 2},
                 {0, QStringLiteral("DT"), 0.0, 0.0, 8}};
    return s;
}

/// Per-label statistics in vocabulary order, with a label the probe does not know (JJ, no
/// tokens) and without one it knows (",").
salient::NeuronProfile profile()
{
    salient::NeuronProfile p;
    p.column = 5;
    p.flatNeuron = 21;
    p.labels = {{0, QStringLiteral("DT"), 4, -0.5, 0.25},
                {1, QStringLiteral("NN"), 6, 1.25, 0.125},
                {2, QStringLiteral("VBD"), 2, -2, 0.5},
                {4, QStringLiteral("JJ"), 0, kNan, kNan}};
    p.topWords = {{QStringLiteral("bank"), 1.0, 2.0, 1.5, 3},
                  {QStringLiteral("say \"hi\""), 0.5, 1.0, -0.25, 7},
                  {QStringLiteral("river"), 0.25, 0.5, 0.75, 1}};
    return p;
}

double value(const QAbstractItemModel &m, int row, int column)
{
    return m.index(row, column).data(ValueRole).toDouble();
}

QString text(const QAbstractItemModel &m, int row, int column, int role = Qt::DisplayRole)
{
    return m.index(row, column).data(role).toString();
}

/// The column @p column of every row of @p m, as text.
QStringList columnText(const QAbstractItemModel &m, int column)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << text(m, r, column);
    return out;
}

bool sameNumber(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

} // namespace

class TestModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classRowsFollowCore();
    void classValuesEqualStructs();
    void classSortingThroughProxy();
    void classCsvAndJson();
    void classesWithoutProbeListProfileLabels();
    void topWordsValuesAndSorting();
    void topWordsCsvAndJson();
    void clearEmpties();
};

void TestModels::classRowsFollowCore()
{
    NeuronClassModel m;
    QCOMPARE(m.rowCount(), 0);
    QCOMPARE(m.columnCount(), int(NeuronClassModel::ColumnCount));
    QCOMPARE(m.columnCount(), 8);
    m.setNeuron(summary(), profile());
    // The probe's classes in core's order, then the label only the profile knows.
    QCOMPARE(m.rowCount(), 5);
    QCOMPARE(columnText(m, NeuronClassModel::Class),
             (QStringList{u"NN"_s, u"VBD"_s, u","_s, u"DT"_s, u"JJ"_s}));
    QCOMPARE(columnText(m, NeuronClassModel::Order),
             (QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s, u"5"_s}));
    QCOMPARE(m.headerData(NeuronClassModel::AbsWeight, Qt::Horizontal).toString(),
             QStringLiteral("|W|"));
    QVERIFY(!m.headerData(NeuronClassModel::Rank, Qt::Horizontal, Qt::ToolTipRole)
                 .toString()
                 .isEmpty());
}

void TestModels::classValuesEqualStructs()
{
    const salient::NeuronSummary s = summary();
    const salient::NeuronProfile p = profile();
    NeuronClassModel m;
    m.setNeuron(s, p);
    for (int r = 0; r < 4; ++r) {
        const salient::ClassWeight &c = s.classes[size_t(r)];
        QCOMPARE(m.classWeight(r)->name, c.name);
        QCOMPARE(value(m, r, NeuronClassModel::Weight), c.weight);
        QCOMPARE(value(m, r, NeuronClassModel::AbsWeight), c.absWeight);
        QCOMPARE(value(m, r, NeuronClassModel::Rank), double(c.labelRank));
        QCOMPARE(text(m, r, NeuronClassModel::Class, ValueRole), c.name);
    }
    // Statistics are joined by name: NN's are the profile's second label.
    QCOMPARE(value(m, 0, NeuronClassModel::Tokens), 6.0);
    QCOMPARE(value(m, 0, NeuronClassModel::Mean), 1.25);
    QCOMPARE(value(m, 0, NeuronClassModel::Std), 0.125);
    QCOMPARE(value(m, 3, NeuronClassModel::Mean), -0.5); // DT
    // "," has no statistics, JJ no weight (and no tokens: NaN statistics).
    QVERIFY(!m.labelActivation(2));
    QVERIFY(std::isnan(value(m, 2, NeuronClassModel::Tokens)));
    QCOMPARE(text(m, 2, NeuronClassModel::Tokens), QStringLiteral("\u2014"));
    QVERIFY(!m.classWeight(4));
    QVERIFY(std::isnan(value(m, 4, NeuronClassModel::Weight)));
    QVERIFY(std::isnan(value(m, 4, NeuronClassModel::Rank)));
    QCOMPARE(value(m, 4, NeuronClassModel::Tokens), 0.0);
    QVERIFY(std::isnan(value(m, 4, NeuronClassModel::Mean)));
    // Display: U+2212 minus, em dash for unknown.
    QCOMPARE(text(m, 1, NeuronClassModel::Weight), QStringLiteral("\u22120.75"));
    QCOMPARE(text(m, 4, NeuronClassModel::Weight), QStringLiteral("\u2014"));
    // Bars on Weight and Mean, scaled by the column's largest |value|; none elsewhere.
    QCOMPARE(m.index(1, NeuronClassModel::Weight).data(BarScaleRole).toDouble(), 2.5);
    QCOMPARE(m.index(1, NeuronClassModel::Mean).data(BarScaleRole).toDouble(), 2.0);
    QVERIFY(!m.index(1, NeuronClassModel::Std).data(BarScaleRole).isValid());
}

void TestModels::classSortingThroughProxy()
{
    NeuronClassModel m;
    m.setNeuron(summary(), profile());
    ValueSortProxyModel proxy;
    proxy.setSourceModel(&m);
    proxy.sort(NeuronClassModel::Weight, Qt::DescendingOrder);
    QCOMPARE(columnText(proxy, NeuronClassModel::Class),
             (QStringList{u"NN"_s, u","_s, u"DT"_s, u"VBD"_s, u"JJ"_s})); // unknown last descending
    proxy.sort(NeuronClassModel::Weight, Qt::AscendingOrder);
    QCOMPARE(columnText(proxy, NeuronClassModel::Class),
             (QStringList{u"JJ"_s, u"VBD"_s, u"DT"_s, u","_s, u"NN"_s}));
    proxy.sort(NeuronClassModel::Rank, Qt::AscendingOrder);
    QCOMPARE(columnText(proxy, NeuronClassModel::Class),
             (QStringList{u"JJ"_s, u"NN"_s, u","_s, u"VBD"_s, u"DT"_s}));
    proxy.sort(NeuronClassModel::Mean, Qt::DescendingOrder);
    // Unknown means (",", JJ) last.
    QCOMPARE(columnText(proxy, NeuronClassModel::Class).mid(0, 3),
             (QStringList{u"NN"_s, u"DT"_s, u"VBD"_s}));
    proxy.sort(NeuronClassModel::Order, Qt::AscendingOrder);
    QCOMPARE(columnText(proxy, NeuronClassModel::Class),
             (QStringList{u"NN"_s, u"VBD"_s, u","_s, u"DT"_s, u"JJ"_s}));
    // The source keeps core's order.
    QCOMPARE(m.className(1), QStringLiteral("VBD"));
}

void TestModels::classCsvAndJson()
{
    NeuronClassModel m;
    m.setNeuron(summary(), profile());
    const QByteArray expected = "label,weight,abs_weight,label_rank,tokens,mean,std\r\n"
                                "NN,2.5,2.5,1,6,1.25,0.125\r\n"
                                "VBD,-0.75,0.75,4,2,-2,0.5\r\n"
                                "\",\",0.5,0.5,2,,,\r\n"
                                "DT,0,0,8,4,-0.5,0.25\r\n"
                                "JJ,,,,0,nan,nan\r\n";
    QCOMPARE(m.toCsv(), expected);

    const QJsonArray j = m.toJson();
    QCOMPARE(j.size(), 5);
    QJsonObject nn{{u"label"_s, u"NN"_s}, {u"weight"_s, 2.5}, {u"abs_weight"_s, 2.5},
                   {u"label_rank"_s, 1},  {u"tokens"_s, 6},   {u"mean"_s, 1.25},
                   {u"std"_s, 0.125}};
    QCOMPARE(j[0].toObject(), nn);
    QJsonObject comma{
        {u"label"_s, u","_s}, {u"weight"_s, 0.5}, {u"abs_weight"_s, 0.5}, {u"label_rank"_s, 2}};
    QCOMPARE(j[2].toObject(), comma);
    QJsonObject jj{{u"label"_s, u"JJ"_s},
                   {u"tokens"_s, 0},
                   {u"mean"_s, QJsonValue::Null},
                   {u"std"_s, QJsonValue::Null}};
    QCOMPARE(j[4].toObject(), jj);
}

void TestModels::classesWithoutProbeListProfileLabels()
{
    NeuronClassModel m;
    m.setNeuron(salient::NeuronSummary{}, profile()); // no probe trained
    QCOMPARE(m.rowCount(), 4);
    QCOMPARE(columnText(m, NeuronClassModel::Class),
             (QStringList{u"DT"_s, u"NN"_s, u"VBD"_s, u"JJ"_s}));
    for (int r = 0; r < m.rowCount(); ++r) {
        QVERIFY(!m.classWeight(r));
        QVERIFY(std::isnan(value(m, r, NeuronClassModel::Weight)));
        QVERIFY(sameNumber(value(m, r, NeuronClassModel::Mean), profile().labels[size_t(r)].mean));
    }
    QCOMPARE(m.index(0, NeuronClassModel::Weight).data(BarScaleRole).toDouble(), 0.0);
    QCOMPARE(m.toCsv().split('\n').value(1), QByteArray("DT,,,,4,-0.5,0.25\r"));
    QVERIFY(!m.toJson()[0].toObject().contains(QStringLiteral("weight")));
}

void TestModels::topWordsValuesAndSorting()
{
    const salient::NeuronProfile p = profile();
    TopWordsModel m;
    m.setWords(p.topWords);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.columnCount(), 5);
    for (int r = 0; r < 3; ++r) {
        const salient::TopWord &w = p.topWords[size_t(r)];
        QCOMPARE(text(m, r, TopWordsModel::Word), w.word);
        QCOMPARE(value(m, r, TopWordsModel::Order), double(r + 1));
        QCOMPARE(value(m, r, TopWordsModel::Score), w.score);
        QCOMPARE(value(m, r, TopWordsModel::MeanActivation), w.meanActivation);
        QCOMPARE(value(m, r, TopWordsModel::Count), double(w.count));
    }
    QCOMPARE(text(m, 1, TopWordsModel::MeanActivation), QStringLiteral("\u22120.25"));
    QCOMPARE(text(m, 1, TopWordsModel::Count), QStringLiteral("7"));
    QCOMPARE(m.index(0, TopWordsModel::MeanActivation).data(BarScaleRole).toDouble(), 1.5);

    ValueSortProxyModel proxy;
    proxy.setSourceModel(&m);
    proxy.sort(TopWordsModel::Count, Qt::DescendingOrder);
    QCOMPARE(columnText(proxy, TopWordsModel::Word),
             (QStringList{u"say \"hi\""_s, u"bank"_s, u"river"_s}));
    proxy.sort(TopWordsModel::MeanActivation, Qt::AscendingOrder);
    QCOMPARE(columnText(proxy, TopWordsModel::Word),
             (QStringList{u"say \"hi\""_s, u"river"_s, u"bank"_s}));
    proxy.sort(TopWordsModel::Word, Qt::AscendingOrder);
    QCOMPARE(columnText(proxy, TopWordsModel::Word),
             (QStringList{u"bank"_s, u"river"_s, u"say \"hi\""_s}));
}

void TestModels::topWordsCsvAndJson()
{
    TopWordsModel m;
    m.setWords(profile().topWords);
    const QByteArray expected = "word,score,mean_abs_z,mean_activation,count\r\n"
                                "bank,1,2,1.5,3\r\n"
                                "\"say \"\"hi\"\"\",0.5,1,-0.25,7\r\n"
                                "river,0.25,0.5,0.75,1\r\n";
    QCOMPARE(m.toCsv(), expected);
    const QJsonArray j = m.toJson();
    QCOMPARE(j.size(), 3);
    QJsonObject second{{u"word"_s, u"say \"hi\""_s},
                       {u"score"_s, 0.5},
                       {u"mean_abs_z"_s, 1.0},
                       {u"mean_activation"_s, -0.25},
                       {u"count"_s, 7}};
    QCOMPARE(j[1].toObject(), second);
}

void TestModels::clearEmpties()
{
    NeuronClassModel classes;
    classes.setNeuron(summary(), profile());
    TopWordsModel words;
    words.setWords(profile().topWords);
    classes.clear();
    words.clear();
    QCOMPARE(classes.rowCount(), 0);
    QCOMPARE(words.rowCount(), 0);
    QCOMPARE(classes.toCsv(), QByteArray("label,weight,abs_weight,label_rank,tokens,mean,std\r\n"));
    QVERIFY(words.toJson().isEmpty());
    QVERIFY(!classes.classWeight(0));
}

QTEST_MAIN(TestModels)
#include "tst_models.moc"
