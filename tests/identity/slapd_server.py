"""A real OpenLDAP ``slapd`` for the tests, on a free loopback port with its own config and data folder.

The configuration is written as cn=config LDIF and loaded with ``slapadd`` (no system config is touched);
the directory holds a service account, a few people and the groups that the mapping rules name. Debian's
``slapd`` package provides the binaries (``make identity-servers`` installs it). Given a certificate and key
(``certificates.server_files``) it also speaks TLS: StartTLS on its ``ldap://`` port and TLS from the first
byte on a second, ``ldaps://`` port. Its operations are logged (``-d stats``) to ``slapd.log``, so a test can
see which binds reached it.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from identity.certificates import ServerFiles

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=servflow,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret"
READER_DN = f"cn=reader,ou=services,{SUFFIX}"
READER_PASSWORD = "reader-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

_CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {root}/slapd.pid
{tls}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {root}/data
olcSuffix: {suffix}
olcRootDN: {admin}
olcRootPW: {admin_password}
olcAccess: to attrs=userPassword by self read by anonymous auth by * none
olcAccess: to * by users read by * none
"""


def _person(uid: str, name: str, password: str, *, disabled: bool = False) -> str:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name}",
        f"sn: {name[0]}",
        f"displayName: {name}",
        f"mail: {uid}@servflow.test",
        f"userPassword: {password}",
    ]
    if disabled:
        lines.append("employeeType: disabled")
    return "\n".join(lines) + "\n"


def _group(cn: str, *members: str) -> str:
    lines = [f"dn: cn={cn},{GROUPS}", "objectClass: groupOfNames", f"cn: {cn}"]
    lines += [f"member: uid={m},{PEOPLE}" for m in members]
    return "\n".join(lines) + "\n"


_DATA = "\n".join(
    [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: servflow\no: servflow\n",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services\n",
        f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\n"
        f"userPassword: {READER_PASSWORD}\n",
        _person("zhangwei", "张伟", "zhang-pass"),
        _person("lina", "李娜", "li-pass"),
        _person("wangfang", "王芳", "wang-pass", disabled=True),
        _group("minzheng-purchasers", "zhangwei", "wangfang"),
        _group("chengguan-purchasers", "lina"),
    ]
)


@dataclass(frozen=True)
class Slapd:
    url: str
    log: Path
    ldaps_url: str | None = None  # with TLS only

    def settings(self) -> dict[str, str]:
        """The app's ``LDAP_*`` settings for this directory (what ``SERVFLOW_LDAP_*`` would say)."""
        return {
            "LDAP_URL": self.url,
            "LDAP_BIND_DN": READER_DN,
            "LDAP_BIND_PASSWORD": READER_PASSWORD,
            "LDAP_BASE_DN": PEOPLE,
            "LDAP_USER_ATTR": "uid",
            "LDAP_GROUP_BASE_DN": GROUPS,
            "LDAP_DISABLED_FILTER": "(employeeType=disabled)",
        }

    def binds(self) -> list[str]:
        """The DNs of the simple binds slapd has received so far (in the clear or over TLS)."""
        return re.findall(r' BIND dn="([^"]*)" method=128', self.log.read_text(encoding="utf-8", errors="replace"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def available() -> bool:
    return Path(SLAPD).exists() and Path(SLAPADD).exists()


@contextmanager
def running_slapd(root: Path, tls: ServerFiles | None = None) -> Iterator[Slapd]:
    """slapd serving the test directory on ``ldap://127.0.0.1:<free port>`` (and with ``tls`` on
    ``ldaps://127.0.0.1:<another>``); stopped afterwards."""
    config, data = root / "slapd.d", root / "data"
    config.mkdir()
    data.mkdir()
    tls_config = ""
    if tls is not None:
        tls_config = f"olcTLSCertificateFile: {tls.certificate_file}\nolcTLSCertificateKeyFile: {tls.key_file}\n"
    (root / "config.ldif").write_text(
        _CONFIG.format(root=root, suffix=SUFFIX, admin=ADMIN_DN, admin_password=ADMIN_PASSWORD, tls=tls_config),
        encoding="utf-8",
    )
    (root / "data.ldif").write_text(_DATA, encoding="utf-8")
    subprocess.run(
        [SLAPADD, "-n0", "-F", str(config), "-l", str(root / "config.ldif")], check=True, capture_output=True
    )
    subprocess.run(
        [SLAPADD, "-F", str(config), "-b", SUFFIX, "-l", str(root / "data.ldif")], check=True, capture_output=True
    )
    url = f"ldap://127.0.0.1:{free_port()}"
    ldaps_url = f"ldaps://127.0.0.1:{free_port()}" if tls is not None else None
    listen = " ".join(f"{u}/" for u in (url, ldaps_url) if u)
    log = root / "slapd.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [SLAPD, "-d", "stats", "-h", listen, "-F", str(config)], stdout=subprocess.DEVNULL, stderr=log_file
        )
    try:
        for address in (url, ldaps_url):
            if address:
                _wait_for(address, process, log)
        yield Slapd(url, log, ldaps_url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    port = int(url.rsplit(":", 1)[1])
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"slapd stopped: {log.read_text(encoding='utf-8', errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("slapd did not start listening")
