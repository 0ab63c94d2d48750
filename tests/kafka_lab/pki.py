"""Client certificates for the lab: from the deployment's CA, or from a CA it does not trust."""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
                 issuer_key: ec.EllipticCurvePrivateKey, ca: bool) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(START)
            .not_valid_after(START + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))


def client_keystore(pki: Path, common_name: str, out: Path, foreign: bool = False) -> Path:
    """A PEM keystore (key + certificate) for CN=`common_name`, signed by the CA in `pki`.

    With `foreign`, a fresh CA of the same name signs it instead: same subject, other trust.
    """
    if foreign:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _certificate("kgen-test-ca", ca_key, x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "kgen-test-ca")]), ca_key, True)
    else:
        ca_key = serialization.load_pem_private_key((pki / "ca.key").read_bytes(), None)  # type: ignore[assignment]
        ca_cert = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(common_name, key, ca_cert.subject, ca_key, False)
    out.write_bytes(_pem_key(key) + cert.public_bytes(serialization.Encoding.PEM))
    return out
