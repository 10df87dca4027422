// float16 conversion (salient/util/float16.h): the scalar converters are exact and round to
// nearest even, and the vectorised array converters agree with them for every value.
#include "salient/util/float16.h"

#include <QtTest>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace salient;

class TestFloat16 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scalarValues()
    {
        QCOMPARE(floatToHalf(1.0f), std::uint16_t(0x3c00));
        QCOMPARE(floatToHalf(-2.0f), std::uint16_t(0xc000));
        QCOMPARE(floatToHalf(65504.0f), std::uint16_t(0x7bff));
        QCOMPARE(floatToHalf(65520.0f), std::uint16_t(0x7c00)); // rounds up to inf
        QCOMPARE(floatToHalf(65519.0f), std::uint16_t(0x7bff));
        QCOMPARE(floatToHalf(1.00048828125f), std::uint16_t(0x3c00));        // tie → even
        QCOMPARE(floatToHalf(1.00146484375f), std::uint16_t(0x3c02));        // tie → even (up)
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -24)), std::uint16_t(0x0001)); // smallest subnormal
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -26)), std::uint16_t(0x0000)); // below: zero
        QCOMPARE(floatToHalf(-0.0f), std::uint16_t(0x8000));
        QVERIFY((floatToHalf(std::numeric_limits<float>::quiet_NaN()) & 0x7fffu) > 0x7c00u);
        QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));
        QCOMPARE(halfToFloat(0x7bff), 65504.0f);
        QVERIFY(std::isinf(halfToFloat(0xfc00)) && halfToFloat(0xfc00) < 0);
        QVERIFY(std::isnan(halfToFloat(0x7e00)));
    }

    // Every one of the 65,536 patterns: the array conversion equals the scalar one (bit for bit
    // except NaN payloads), and narrowing the widened value gives the pattern back.
    void arraysAgreeWithScalarForEveryPattern()
    {
        std::vector<std::uint16_t> all(65536);
        for (std::uint32_t h = 0; h < 65536; ++h)
            all[h] = std::uint16_t(h);
        std::vector<float> wide(all.size());
        halfsToFloat(all.data(), wide.data(), Index(all.size()));
        std::vector<std::uint16_t> back(all.size());
        floatsToHalf(wide.data(), back.data(), Index(wide.size()));
        for (std::uint32_t h = 0; h < 65536; ++h) {
            const float s = halfToFloat(std::uint16_t(h));
            if (std::isnan(s)) {
                QVERIFY2(std::isnan(wide[h]), qPrintable(QString::number(h, 16)));
                QVERIFY2((back[h] & 0x7fffu) > 0x7c00u, qPrintable(QString::number(h, 16)));
                continue;
            }
            QVERIFY2(std::bit_cast<std::uint32_t>(wide[h]) == std::bit_cast<std::uint32_t>(s),
                     qPrintable(QString::number(h, 16)));
            QVERIFY2(back[h] == h, qPrintable(QString::number(h, 16)));
        }
    }

    // Random floats over the whole half range (and beyond): the array narrowing rounds exactly
    // as the scalar one, also for the tail that is not a multiple of the vector width.
    void narrowingAgreesWithScalar()
    {
        std::mt19937 rng(5);
        std::uniform_int_distribution<std::uint32_t> exponent(90, 145); // ~2^-37 .. 2^18
        std::uniform_int_distribution<std::uint32_t> bits(0, (1u << 24) - 1);
        std::vector<float> in(1003);
        for (float &f : in)
            f = std::bit_cast<float>((bits(rng) & 0x807fffffu) | (exponent(rng) << 23)
                                     | ((bits(rng) & 1u) << 31));
        std::vector<std::uint16_t> out(in.size());
        floatsToHalf(in.data(), out.data(), Index(in.size()));
        for (size_t i = 0; i < in.size(); ++i)
            QVERIFY2(out[i] == floatToHalf(in[i]), qPrintable(QStringLiteral("%1: %2 vs %3")
                                                                  .arg(double(in[i]), 0, 'g', 9)
                                                                  .arg(out[i], 0, 16)
                                                                  .arg(floatToHalf(in[i]), 0, 16)));
    }
};

QTEST_GUILESS_MAIN(TestFloat16)
#include "tst_float16.moc"
