#pragma once
// Private to core/src/analyses: byte serialisation of farmed unit results (farm.h). Formats are
// process-local (both ends are the same binary): QDataStream, doubles and floats bit-exact
// (NaN kept), matrices as rows, cols, raw column-major floats.
#include "salient/probe/probe.h"

#include <QByteArray>
#include <QDataStream>
#include <QIODevice>
#include <cstring>

namespace salient::farmio {

inline void putFloats(QDataStream &s, const float *p, qint64 n)
{
    s.writeRawData(reinterpret_cast<const char *>(p), int(n * qint64(sizeof(float))));
}
inline void getFloats(QDataStream &s, float *p, qint64 n)
{
    s.readRawData(reinterpret_cast<char *>(p), int(n * qint64(sizeof(float))));
}
inline void putDouble(QDataStream &s, double v)
{
    quint64 bits;
    std::memcpy(&bits, &v, sizeof bits);
    s << bits;
}
inline double getDouble(QDataStream &s)
{
    quint64 bits = 0;
    s >> bits;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}
inline void putMatrix(QDataStream &s, const MatrixF &m)
{
    s << qint64(m.rows()) << qint64(m.cols());
    putFloats(s, m.data(), m.size());
}
inline MatrixF getMatrix(QDataStream &s)
{
    qint64 r = 0, c = 0;
    s >> r >> c;
    MatrixF m(r, c);
    getFloats(s, m.data(), m.size());
    return m;
}
inline void putVector(QDataStream &s, const VectorF &v)
{
    s << qint64(v.size());
    putFloats(s, v.data(), v.size());
}
inline VectorF getVector(QDataStream &s)
{
    qint64 n = 0;
    s >> n;
    VectorF v(n);
    getFloats(s, v.data(), n);
    return v;
}
inline void putProbe(QDataStream &s, const Probe &p)
{
    s << p.regression;
    putMatrix(s, p.W);
    putVector(s, p.b);
    s << QList<int>(p.columns.begin(), p.columns.end()) << p.labels;
    putVector(s, p.mean);
    putVector(s, p.scale);
}
inline Probe getProbe(QDataStream &s)
{
    Probe p;
    s >> p.regression;
    p.W = getMatrix(s);
    p.b = getVector(s);
    QList<int> cols;
    s >> cols >> p.labels;
    p.columns.assign(cols.begin(), cols.end());
    p.mean = getVector(s);
    p.scale = getVector(s);
    return p;
}
/// The doubles of a unit result as bytes (an empty result stays empty: "not finished").
inline QByteArray doubles(std::initializer_list<double> values)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    for (double v : values)
        putDouble(s, v);
    return out;
}

} // namespace salient::farmio

#include "salient/analyses/experiment.h"

namespace salient::farmio {

/// SubsetScores as bytes (status first, then the four scores).
inline QByteArray scoresBytes(const SubsetScores &sc)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << qint32(sc.status);
    for (double v : {sc.selection, sc.test, sc.selectionF1, sc.testF1})
        putDouble(s, v);
    return out;
}
/// Bytes of scoresBytes back; empty → status Cancelled (the unit did not finish).
inline SubsetScores scoresOf(const QByteArray &bytes)
{
    SubsetScores sc;
    if (bytes.isEmpty()) {
        sc.status = Status::Cancelled;
        return sc;
    }
    QDataStream s(bytes);
    qint32 status = 0;
    s >> status;
    sc.status = Status(status);
    sc.selection = getDouble(s);
    sc.test = getDouble(s);
    sc.selectionF1 = getDouble(s);
    sc.testF1 = getDouble(s);
    return sc;
}

} // namespace salient::farmio
