//! Classifiers for system tools, servers and Go-built infrastructure programs: BusyBox,
//! OpenSSL (and AWS-LC), curl, nginx, Apache httpd, Redis, PostgreSQL, MariaDB, MySQL,
//! HAProxy, memcached, Consul, Vault, Helm, Traefik, Envoy.
//!
//! Patterns are Syft's (`syft/pkg/cataloger/binary/classifiers.go`), with the differences
//! noted at each entry (mostly: Debian's builds, which Syft's patterns miss).

use super::classifier::{generic, golang, Classifier};

/// Tools, servers and infrastructure programs.
pub(super) static CLASSIFIERS: &[Classifier] = &[
    Classifier {
        class: "busybox-binary",
        group: None,
        globs: &["**/busybox"],
        path: None,
        evidence: &[&[r"BusyBox\s+v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]],
        package: generic(
            "busybox",
            &["cpe:2.3:a:busybox:busybox:{version}:*:*:*:*:*:*:*"],
        ),
    },
    // AWS-LC's `openssl` says `OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)`: that branch first.
    // Not in Syft: `libcrypto.so*`, where the same strings live in dynamically linked builds.
    Classifier {
        class: "openssl-binary-aws-lc",
        group: Some("openssl-binary"),
        globs: OPENSSL,
        path: None,
        evidence: &[&[r"AWS-LC (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\)\x00"]],
        package: generic(
            "aws-lc",
            &["cpe:2.3:a:amazon:aws_libcrypto:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "openssl-binary",
        group: Some("openssl-binary"),
        globs: OPENSSL,
        path: None,
        evidence: &[&[
            r"\x00OpenSSL (?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:[a-z]+|-alpha[0-9]|-beta[0-9]|-rc[0-9])?)",
        ]],
        package: generic(
            "openssl",
            &["cpe:2.3:a:openssl:openssl:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "curl-binary",
        group: None,
        globs: &["**/curl"],
        path: None,
        evidence: &[&[r"curl/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]],
        package: generic("curl", &["cpe:2.3:a:haxx:curl:{version}:*:*:*:*:*:*:*"]),
    },
    Classifier {
        class: "nginx-binary",
        group: None,
        globs: &["**/nginx"],
        path: None,
        // [NUL]nginx version: openresty/1.21.4.1 gives 1.21.4, the nginx part.
        evidence: &[&[
            r"(?:\x00|\?)nginx version: [^/]+/(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:\+\d+)?(?:-\d+)?)",
        ]],
        package: generic(
            "nginx",
            &[
                "cpe:2.3:a:f5:nginx:{version}:*:*:*:*:*:*:*",
                "cpe:2.3:a:nginx:nginx:{version}:*:*:*:*:*:*:*",
            ],
        ),
    },
    // Not in Syft: `apache2`, the name Debian and Ubuntu give httpd.
    Classifier {
        class: "httpd-binary",
        group: None,
        globs: &["**/httpd", "**/apache2"],
        path: None,
        evidence: &[&[r"Apache/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]],
        package: generic(
            "httpd",
            &["cpe:2.3:a:apache:http_server:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "redis-binary",
        group: None,
        globs: &["**/redis-server"],
        path: None,
        evidence: &[
            // 7.0.14buildkitsandbox-1702957741000000000 (the official image, ~v7)
            &[r"[^\d](?P<version>\d+.\d+\.\d+)buildkitsandbox-\d+"],
            // 4.0.11841ce7054bd9-1542359302000000000 (~v3 to v6)
            &[r"[^\d](?P<version>[0-9]+\.[0-9]+\.[0-9]+)\w{12}-\d+"],
            // Server started, Redis version 2.8.23 (~v2)
            &[r"Redis version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
            // Not in Syft: Debian's build id has no host and no SHA, only a 19-digit
            // nanosecond timestamp (7.0.151790282056000000000[NUL]); its fixed length is what
            // separates it from the version.
            &[r"[^\d](?P<version>[0-9]+\.[0-9]+\.[0-9]+)[0-9]{19}\x00"],
        ],
        package: generic(
            "redis",
            &[
                "cpe:2.3:a:redislabs:redis:{version}:*:*:*:*:*:*:*",
                "cpe:2.3:a:redis:redis:{version}:*:*:*:*:*:*:*",
            ],
        ),
    },
    Classifier {
        class: "postgresql-binary",
        group: None,
        globs: &["**/postgres"],
        path: None,
        // [NUL]PostgreSQL 15.1, [NUL]PostgreSQL 15beta4, ?PostgreSQL 9.5alpha1
        evidence: &[&[
            r"(?:\x00|\?)PostgreSQL (?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ]],
        package: generic(
            "postgresql",
            &["cpe:2.3:a:postgresql:postgresql:{version}:*:*:*:*:*:*:*"],
        ),
    },
    // MariaDB's client is also installed as `mysql` and its server as `mysqld`, and the MySQL
    // pattern matches MariaDB's client too (`[NUL]10.11.19[NUL]mysql`): MariaDB is tried
    // first in one branch group. Not in Syft: `mariadbd`, MariaDB's server.
    Classifier {
        class: "mariadb-binary",
        group: Some("mysql"),
        globs: &["**/mariadb", "**/mysql", "**/mariadbd", "**/mysqld"],
        path: None,
        evidence: &[
            // 10.6.15-MariaDB
            &[
                r"(?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)-MariaDB",
            ],
            // mariadb-11.8.5-linux-systemd-x86_64 (tarball builds' release directory)
            &[
                r"(?m)(?:^|/)mariadb-(?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)-",
            ],
        ],
        package: generic(
            "mariadb",
            &["cpe:2.3:a:mariadb:mariadb:{version}:*:*:*:*:*:*:*"],
        ),
    },
    // Syft's second pattern starts with `(?m).*`, which only stretches the match back to the
    // start of the line: left out. Percona's variants are not classified.
    Classifier {
        class: "mysql-binary",
        group: Some("mysql"),
        globs: &["**/mysql"],
        path: None,
        evidence: &[
            // shutdown[NUL]8.0.37[NUL][NUL][NUL]mysql_real_esc
            &[
                r"\x00(?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)\x00+mysql",
            ],
            // …/release/mysql-5.6.51/vio/viosocket.c
            &[
                r"/mysql-(?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)",
            ],
        ],
        package: generic("mysql", &["cpe:2.3:a:oracle:mysql:{version}:*:*:*:*:*:*:*"]),
    },
    // Syft's `mysqld-binary` server branch; its MySQL Cluster branches are not classified.
    Classifier {
        class: "mysqld-mysql-server-binary",
        group: Some("mysql"),
        globs: &["**/mysqld"],
        path: None,
        // ../../mysql-9.7.0/sql/log.cc
        evidence: &[&[
            r"/mysql-(?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?(?:alpha[0-9]|beta[0-9]|rc[0-9])?)/",
        ]],
        package: generic(
            "mysql-server",
            &[
                "cpe:2.3:a:oracle:mysql:{version}:*:*:*:*:*:*:*",
                "cpe:2.3:a:oracle:mysql_server:{version}:*:*:*:*:*:*:*",
            ],
        ),
    },
    Classifier {
        class: "haproxy-binary",
        group: None,
        globs: &["**/haproxy"],
        path: None,
        evidence: &[
            &[
                r"version (?P<version>[0-9]+\.[0-9]+(?:\.|-dev|-rc)[0-9]+)(?:-[a-z0-9]{7})?, released 20",
            ],
            &[r"HA-Proxy version (?P<version>[0-9]+\.[0-9]+(?:\.|-dev)[0-9]+)"],
            &[r"(?P<version>[0-9]+\.[0-9]+(?:\.|-dev)[0-9]+)-[0-9a-zA-Z]{7}.+HAProxy version"],
            // Not in Syft: a distribution revision (` version 2.6.12-1+deb12u4, released`)
            // gives the upstream version.
            &[r"version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)-[0-9][0-9A-Za-z.+~]*, released 20"],
        ],
        package: generic(
            "haproxy",
            &["cpe:2.3:a:haproxy:haproxy:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "memcached-binary",
        group: None,
        globs: &["**/memcached"],
        path: None,
        evidence: &[&[r"memcached\s(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]],
        package: generic(
            "memcached",
            &["cpe:2.3:a:memcached:memcached:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "consul-binary",
        group: None,
        globs: &["**/consul"],
        path: None,
        evidence: &[
            &[r"CONSUL_VERSION: (?P<version>\d+\.\d+\.\d+)"],
            // -X github.com/hashicorp/consul/version.GitDescribe=1.12.9"
            &[r#"GitDescribe=(?P<version>\d+\.\d+\.\d+)""#],
            // [NUL][NUL][NUL]v1.7.14[NUL][NUL][NUL]
            &[r"\x00+v(?P<version>\d+\.\d+\.\d+)\x00+"],
        ],
        package: golang(
            "github.com/hashicorp/consul",
            "github.com/hashicorp",
            "consul",
            &["cpe:2.3:a:hashicorp:consul:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "hashicorp-vault-binary",
        group: None,
        globs: &["**/vault"],
        path: None,
        evidence: &[
            // revoke1.18.0
            &[r"revoke(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
            // secondsindex_state1.20.0-rc1
            &[r"state(?P<version>[0-9]+\.[0-9]+\.[0-9]+-rc[0-9])"],
            // %s0.0.0.00x%016x1.14.10…
            &[r"016x(?P<version>1.1[1,3,4].[0-9]{1,2})"],
            // [NUL][NUL][NUL]1.11.6[NUL][NUL][NUL]
            &[r"\x00+(?P<version>1\.[0-9][0,1]?\.[0-9]+)\x00+"],
        ],
        package: golang(
            "github.com/hashicorp/vault",
            "github.com/hashicorp",
            "vault",
            &["cpe:2.3:a:hashicorp:vault:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "helm",
        group: None,
        globs: &["**/helm"],
        path: None,
        evidence: &[
            // [NUL]v1.21.2[NUL]…[NUL][NUL]v4.1.4[NUL][NUL][NUL]: Kubernetes' version comes first
            // with one NUL; Helm's has two.
            &[
                r"\x00v(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-alpha\.[0-9]|-beta\.[0-9]|-rc\.[0-9])?)\x00{2,}",
            ],
            // v3.12.0[NUL][NUL]…go1.20.3[NUL][NUL]
            &[
                r"v(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-alpha\.[0-9]|-beta\.[0-9]|-rc\.[0-9])?)\x00+.{1,500}go[0-9]+\.[0-9]+\.[0-9]+\x00+",
            ],
            &[
                r"\x00v(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-alpha\.[0-9]|-beta\.[0-9]|-rc\.[0-9])?)\x00",
            ],
            &[
                r"@v(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-alpha\.[0-9]|-beta\.[0-9]|-rc\.[0-9])?)\x00",
            ],
        ],
        // Syft's CPE has one field too few (`helm:helm:*:*:*:*:*:*:*`); this one is whole.
        package: golang(
            "helm.sh/helm",
            "helm.sh",
            "helm",
            &["cpe:2.3:a:helm:helm:{version}:*:*:*:*:*:*:*"],
        ),
    },
    // Syft names Traefik `pkg:generic/traefik`, not by its Go module.
    Classifier {
        class: "traefik-binary",
        group: None,
        globs: &["**/traefik"],
        path: None,
        // [NUL]v1.7.34[NUL], [NUL]2.9.6[NUL], or after a non-UTF-8 byte (Go's `\x{FFFD}`):
        // \x84\x1c3.6.5[NUL]
        evidence: &[&[
            r"(?:\x00v?|[\x80-\xff].?)(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-alpha[0-9]|-beta[0-9]|-rc[0-9])?)\x00",
        ]],
        package: generic(
            "traefik",
            &["cpe:2.3:a:traefik:traefik:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "envoy-binary",
        group: None,
        globs: &["**/envoy"],
        path: None,
        evidence: ENVOY,
        package: generic(
            "envoy",
            &["cpe:2.3:a:envoyproxy:envoy:{version}:*:*:*:*:*:*:*"],
        ),
    },
];

const OPENSSL: &[&str] = &["**/openssl", "**/libcrypto.so*"];

/// Envoy's version is a bare NUL-delimited string; which neighbour tells it apart changed
/// with every few releases (Syft's comments give one example each).
const ENVOY: &[&[&str]] = &[
    &[r"(?s)\x00(?P<version>1\.3[0-9]\.[0-9]+(?:-dev)?)\x00.{0,1000}envoy_reloadable_features"],
    &[r"(?s)\x00(?P<version>1\.34\.5)\x00.{0,200}envoy\.reloadable_features"],
    &[r"(?s)envoy_quic_.{0,1000}\x00(?P<version>1\.2[0-9]\.[0-9]+(?:-dev)?)\x00"],
    &[r"(?s)\x00(?P<version>1\.[12][0-9]\.[0-9]+(?:-dev)?)\x00.{0,1000}Unable to"],
    &[r"(?s)\x00(?P<version>1\.2[0-9]\.[0-9]+(?:-dev)?)\x00.{0,580}ValidationError"],
    &[r"(?s)\x00(?P<version>1\.1[0-9]\.[0-9]+(?:-dev)?)\x00.{0,1000}ValidationError"],
    &[r"(?s)\[source/.{0,200}\x00(?P<version>1\.1[0-9]\.[0-9]+(?:-dev)?)\x00"],
    &[r"(?s)\x00(?P<version>1\.[0-9]\.[0-9]+(?:-dev)?)\x00.{0,20}RELEASE"],
    &[r"(?s)\x00(?P<version>1\.3[0-9]\.[0-9]+(?:-dev)?)\x00envoy[/._:]"],
    &[r"(?s)\x00(?P<version>1\.3[0-9]\.[0-9]+(?:-dev)?)\x00.{0,200}envoy[./]"],
    &[r"(?s)\x00(?P<version>1\.3[0-9]\.[0-9]+(?:-dev)?)\x00.{0,1000}envoy_quic"],
    &[r"(?s)\x00(?P<version>1\.3[0-9]\.[0-9]+(?:-dev)?)\x00TLS "],
    &[r"(?s)\x00(?P<version>1\.2[0-9]\.[0-9]+(?:-dev)?)\x00envoy[/._]"],
    &[r"(?s)\x00(?P<version>1\.2[0-9]\.[0-9]+(?:-dev)?)\x00.{0,500}envoy\."],
    &[r"(?s)\x00(?P<version>1\.2[0-9]\.[0-9]+(?:-dev)?)\x00.{0,300}envoy_"],
];
