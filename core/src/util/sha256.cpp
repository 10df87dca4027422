#include "salient/util/sha256.h"

#include "salient/util/error.h"

#include <QString>
#include <openssl/evp.h>

namespace salient {

namespace {
EVP_MD_CTX *ctx(void *p)
{
    return static_cast<EVP_MD_CTX *>(p);
}
} // namespace

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new())
{
    if (!m_ctx || EVP_DigestInit_ex(ctx(m_ctx), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx(m_ctx));
        throw Error(QStringLiteral("SHA-256: libcrypto could not initialise a digest"));
    }
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(ctx(m_ctx));
}

void Sha256::addData(const void *data, std::size_t bytes)
{
    if (bytes > 0 && EVP_DigestUpdate(ctx(m_ctx), data, bytes) != 1)
        throw Error(QStringLiteral("SHA-256: libcrypto digest update failed"));
}

QByteArray Sha256::hexResult()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx(m_ctx), digest, &length) != 1 || length != 32)
        throw Error(QStringLiteral("SHA-256: libcrypto digest failed"));
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

} // namespace salient
