public import Crypto
import Foundation

extension TokenSigningKey {
    /// A key for another purpose than click and reply tokens (e.g. the operator console's
    /// sessions), derived from the same secret with HKDF-SHA256 and a purpose label: every
    /// process with the same `HERALD_SECRET` derives the same key, and no token of one purpose
    /// verifies under another.
    public func subkey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: clickKey, info: Data(("herald/subkey/v1/" + purpose).utf8), outputByteCount: 32)
    }
}
