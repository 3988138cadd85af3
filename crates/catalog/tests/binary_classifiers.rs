//! The binary classifiers on excerpts of real binaries (`tests/data/binary/`, see its README):
//! each sample names the software and version its package or Syft's test says it holds, and
//! every classifier in the table has at least one sample.
//!
//! `SBOMGEN_BINARY_TREE=/some/root cargo test -p sbomgen-catalog --test binary_classifiers
//! -- --ignored --nocapture` runs the cataloguer over every file of an extracted tree (whole
//! binaries, e.g. `dpkg-deb -x` of Debian packages) and prints what it finds.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use sbomgen_catalog::binary::{classes, BinaryClassifierCataloguer};
use sbomgen_catalog::{Ecosystem, FileCataloguer, FileFindings};

/// Where a sample is (`<source>/<sample>` under `tests/data/binary/`), the root-relative path
/// of the binary in it, and the class, name, version and purl expected.
type Sample = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const SAMPLES: &[Sample] = &[
    // Debian 12 packages (package_version/path).
    ("debian/apache2-bin_2.4.71-1~deb12u1", "usr/sbin/apache2", "httpd-binary", "httpd", "2.4.71", "pkg:generic/httpd@2.4.71"),
    ("debian/bash_5.2.15-2+b13", "bin/bash", "bash-binary", "bash", "5.2.15", "pkg:generic/bash@5.2.15"),
    ("debian/busybox-static_1.35.0-4+deb12u1+b1", "bin/busybox", "busybox-binary", "busybox", "1.35.0", "pkg:generic/busybox@1.35.0"),
    ("debian/curl_7.88.1-10+deb12u15", "usr/bin/curl", "curl-binary", "curl", "7.88.1", "pkg:generic/curl@7.88.1"),
    ("debian/golang-1.19-go_1.19.8-2", "usr/lib/go-1.19/bin/go", "go-binary", "go", "1.19.8", "pkg:generic/go@1.19.8"),
    ("debian/haproxy_2.6.12-1+deb12u4", "usr/sbin/haproxy", "haproxy-binary", "haproxy", "2.6.12", "pkg:generic/haproxy@2.6.12"),
    ("debian/libapache2-mod-php8.2_8.2.36-1~deb12u1", "usr/lib/apache2/modules/libphp8.2.so", "php-apache-binary", "php", "8.2.36", "pkg:generic/php@8.2.36"),
    ("debian/libnode108_18.20.4+dfsg-1~deb12u3", "usr/lib/x86_64-linux-gnu/libnode.so.108", "nodejs-library", "node", "18.20.4", "pkg:generic/node@18.20.4"),
    ("debian/libpython3.11_3.11.2-6+deb12u9", "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "python-binary-lib", "python", "3.11.2", "pkg:generic/python@3.11.2"),
    ("debian/libruby3.1_3.1.7+really3.1.2-0+deb12u1", "usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1.2", "ruby-library", "ruby", "3.1.2p20", "pkg:generic/ruby@3.1.2p20"),
    ("debian/libssl3_3.0.22-1~deb12u2", "usr/lib/x86_64-linux-gnu/libcrypto.so.3", "openssl-binary", "openssl", "3.0.22", "pkg:generic/openssl@3.0.22"),
    ("debian/libstd-rust-1.63_1.63.0+dfsg1-2", "usr/lib/x86_64-linux-gnu/libstd-a5a48102fbd58791.so", "rust-standard-library-linux", "rust", "1.63.0", "pkg:generic/rust@1.63.0"),
    ("debian/mariadb-client-core_10.11.19-0+deb12u1", "usr/bin/mariadb", "mariadb-binary", "mariadb", "10.11.19", "pkg:generic/mariadb@10.11.19"),
    ("debian/mariadb-client-core_10.11.19-0+deb12u1", "usr/bin/mysql", "mariadb-binary", "mariadb", "10.11.19", "pkg:generic/mariadb@10.11.19"),
    ("debian/mariadb-server-core_10.11.19-0+deb12u1", "usr/sbin/mariadbd", "mariadb-binary", "mariadb", "10.11.19", "pkg:generic/mariadb@10.11.19"),
    ("debian/memcached_1.6.18-1+deb12u1", "usr/bin/memcached", "memcached-binary", "memcached", "1.6.18", "pkg:generic/memcached@1.6.18"),
    ("debian/nginx_1.22.1-9+deb12u12", "usr/sbin/nginx", "nginx-binary", "nginx", "1.22.1", "pkg:generic/nginx@1.22.1"),
    ("debian/openjdk-17-jre-headless_17.0.21.1+2-1~deb12u1", "usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java-binary-openjdk", "openjdk", "17.0.21.1+2-1-deb12u1-Debian", "pkg:generic/oracle/openjdk@17.0.21.1%2B2-1-deb12u1-Debian"),
    ("debian/openssl_3.0.22-1~deb12u2", "usr/bin/openssl", "openssl-binary", "openssl", "3.0.22", "pkg:generic/openssl@3.0.22"),
    ("debian/perl-base_5.36.0-7+deb12u4", "usr/bin/perl", "perl-binary", "perl", "5.36.0", "pkg:generic/perl@5.36.0"),
    ("debian/php8.2-cli_8.2.36-1~deb12u1", "usr/bin/php8.2", "php-cli-binary", "php", "8.2.36", "pkg:generic/php@8.2.36"),
    ("debian/php8.2-fpm_8.2.36-1~deb12u1", "usr/sbin/php-fpm8.2", "php-fpm-binary", "php", "8.2.36", "pkg:generic/php@8.2.36"),
    ("debian/postgresql-15_15.20-0+deb12u1", "usr/lib/postgresql/15/bin/postgres", "postgresql-binary", "postgresql", "15.20", "pkg:generic/postgresql@15.20"),
    ("debian/python3.11-minimal_3.11.2-6+deb12u9", "usr/bin/python3.11", "python-binary", "python", "3.11.2", "pkg:generic/python@3.11.2"),
    ("debian/redis-tools_7.0.15-1~deb12u10", "usr/bin/redis-server", "redis-binary", "redis", "7.0.15", "pkg:generic/redis@7.0.15"),
    // NodeSource's nodejs package.
    ("nodesource/nodejs_20.20.2-1nodesource1+repack1", "usr/bin/node", "nodejs-binary", "node", "20.20.2", "pkg:generic/node@20.20.2"),
    // Syft's snippets (software/version/platform); versions and purls as Syft's own tests expect.
    ("syft/aws-lc/1.69.0/linux-amd64", "openssl", "openssl-binary-aws-lc", "aws-lc", "1.69.0", "pkg:generic/aws-lc@1.69.0"),
    ("syft/bash/5.1.16/linux-amd64", "bash", "bash-binary", "bash", "5.1.16", "pkg:generic/bash@5.1.16"),
    ("syft/busybox/1.36.1/linux-amd64", "busybox", "busybox-binary", "busybox", "1.36.1", "pkg:generic/busybox@1.36.1"),
    ("syft/consul/1.12.9/linux-amd64", "consul", "consul-binary", "github.com/hashicorp/consul", "1.12.9", "pkg:golang/github.com/hashicorp/consul@1.12.9"),
    ("syft/consul/1.15.2/linux-amd64", "consul", "consul-binary", "github.com/hashicorp/consul", "1.15.2", "pkg:golang/github.com/hashicorp/consul@1.15.2"),
    ("syft/consul/1.7.14/linux-amd64", "consul", "consul-binary", "github.com/hashicorp/consul", "1.7.14", "pkg:golang/github.com/hashicorp/consul@1.7.14"),
    ("syft/envoy/1.11.0/linux-amd64", "envoy", "envoy-binary", "envoy", "1.11.0", "pkg:generic/envoy@1.11.0"),
    ("syft/envoy/1.14.3/linux-amd64", "envoy", "envoy-binary", "envoy", "1.14.3", "pkg:generic/envoy@1.14.3"),
    ("syft/envoy/1.18.6/linux-amd64", "envoy", "envoy-binary", "envoy", "1.18.6-dev", "pkg:generic/envoy@1.18.6-dev"),
    ("syft/envoy/1.20.7/linux-amd64", "envoy", "envoy-binary", "envoy", "1.20.7", "pkg:generic/envoy@1.20.7"),
    ("syft/envoy/1.22.10/linux-amd64", "envoy", "envoy-binary", "envoy", "1.22.10", "pkg:generic/envoy@1.22.10"),
    ("syft/envoy/1.22.11/linux-amd64", "envoy", "envoy-binary", "envoy", "1.22.11", "pkg:generic/envoy@1.22.11"),
    ("syft/envoy/1.23.7/linux-amd64", "envoy", "envoy-binary", "envoy", "1.23.7", "pkg:generic/envoy@1.23.7"),
    ("syft/envoy/1.24.5/linux-amd64", "envoy", "envoy-binary", "envoy", "1.24.5", "pkg:generic/envoy@1.24.5"),
    ("syft/envoy/1.24.9/linux-amd64", "envoy", "envoy-binary", "envoy", "1.24.9", "pkg:generic/envoy@1.24.9"),
    ("syft/envoy/1.28.7/linux-amd64", "envoy", "envoy-binary", "envoy", "1.28.7", "pkg:generic/envoy@1.28.7"),
    ("syft/envoy/1.30.1/linux-amd64", "envoy", "envoy-binary", "envoy", "1.30.1", "pkg:generic/envoy@1.30.1"),
    ("syft/envoy/1.30.2/linux-amd64", "envoy", "envoy-binary", "envoy", "1.30.2", "pkg:generic/envoy@1.30.2"),
    ("syft/envoy/1.30.6/linux-amd64", "envoy", "envoy-binary", "envoy", "1.30.6", "pkg:generic/envoy@1.30.6"),
    ("syft/envoy/1.31.2/linux-amd64", "envoy", "envoy-binary", "envoy", "1.31.2", "pkg:generic/envoy@1.31.2"),
    ("syft/envoy/1.34.12/linux-amd64", "envoy", "envoy-binary", "envoy", "1.34.12", "pkg:generic/envoy@1.34.12"),
    ("syft/envoy/1.34.5/linux-amd64", "envoy", "envoy-binary", "envoy", "1.34.5", "pkg:generic/envoy@1.34.5"),
    ("syft/envoy/1.35.4/linux-amd64", "envoy", "envoy-binary", "envoy", "1.35.4", "pkg:generic/envoy@1.35.4"),
    ("syft/envoy/1.36.1/linux-amd64", "envoy", "envoy-binary", "envoy", "1.36.1", "pkg:generic/envoy@1.36.1"),
    ("syft/envoy/1.36.4/linux-amd64", "envoy", "envoy-binary", "envoy", "1.36.4", "pkg:generic/envoy@1.36.4"),
    ("syft/envoy/1.6.0/linux-amd64", "envoy", "envoy-binary", "envoy", "1.6.0", "pkg:generic/envoy@1.6.0"),
    ("syft/go/1.21.3/linux-amd64", "go", "go-binary", "go", "1.21.3", "pkg:generic/go@1.21.3"),
    ("syft/haproxy/1.5.14/linux-amd64", "haproxy", "haproxy-binary", "haproxy", "1.5.14", "pkg:generic/haproxy@1.5.14"),
    ("syft/haproxy/1.8.22/linux-amd64", "haproxy", "haproxy-binary", "haproxy", "1.8.22", "pkg:generic/haproxy@1.8.22"),
    ("syft/haproxy/2.0.0/linux-amd64", "haproxy", "haproxy-binary", "haproxy", "2.0.0", "pkg:generic/haproxy@2.0.0"),
    ("syft/haproxy/2.7.3/linux-amd64", "haproxy", "haproxy-binary", "haproxy", "2.7.3", "pkg:generic/haproxy@2.7.3"),
    ("syft/haproxy/3.1-dev0/linux-amd64", "haproxy", "haproxy-binary", "haproxy", "3.1-dev0", "pkg:generic/haproxy@3.1-dev0"),
    ("syft/helm/2.0.0-beta.2/linux-amd64", "helm", "helm", "helm.sh/helm", "2.0.0-beta.2", "pkg:golang/helm.sh/helm@2.0.0-beta.2"),
    ("syft/helm/2.17.0-rc.1/linux-amd64", "helm", "helm", "helm.sh/helm", "2.17.0-rc.1", "pkg:golang/helm.sh/helm@2.17.0-rc.1"),
    ("syft/helm/3.0.0-alpha.1/linux-amd64", "helm", "helm", "helm.sh/helm", "3.0.0-alpha.1", "pkg:golang/helm.sh/helm@3.0.0-alpha.1"),
    ("syft/helm/3.10.3/linux-amd64", "helm", "helm", "helm.sh/helm", "3.10.3", "pkg:golang/helm.sh/helm@3.10.3"),
    ("syft/helm/3.11.1/linux-amd64", "helm", "helm", "helm.sh/helm", "3.11.1", "pkg:golang/helm.sh/helm@3.11.1"),
    ("syft/helm/3.12.0/linux-s390x", "helm", "helm", "helm.sh/helm", "3.12.0", "pkg:golang/helm.sh/helm@3.12.0"),
    ("syft/helm/3.15.2/linux-amd64", "helm", "helm", "helm.sh/helm", "3.15.2", "pkg:golang/helm.sh/helm@3.15.2"),
    ("syft/helm/4.1.4/linux-s390x", "helm", "helm", "helm.sh/helm", "4.1.4", "pkg:golang/helm.sh/helm@4.1.4"),
    ("syft/httpd/2.4.54/linux-amd64", "httpd", "httpd-binary", "httpd", "2.4.54", "pkg:generic/httpd@2.4.54"),
    ("syft/java-graal-openjdk/17.0.3+7-jvmci-22.1-b06/linux-amd64", "java", "java-binary-graalvm", "graalvm", "17.0.3+7-jvmci-22.1-b06", "pkg:generic/oracle/graalvm@17.0.3%2B7-jvmci-22.1-b06"),
    ("syft/java-jre-openjdk-arm64-eclipse/11.0.22/linux-arm64", "java", "java-binary-openjdk", "openjdk", "11.0.22+7", "pkg:generic/oracle/openjdk@11.0.22%2B7"),
    ("syft/java-jre-openjdk-eclipse/11.0.22/linux-amd64", "java", "java-binary-openjdk", "openjdk", "11.0.22+7", "pkg:generic/oracle/openjdk@11.0.22%2B7"),
    ("syft/java-jre-openjdk/1.8.0_352-b08/linux-amd64", "java", "java-binary-openjdk-with-update", "openjdk", "1.8.0_352-b08", "pkg:generic/oracle/openjdk@1.8.0_352-b08"),
    ("syft/java-jre-openjdk/11.0.17/linux-amd64", "java", "java-binary-openjdk", "openjdk", "11.0.17+8-LTS", "pkg:generic/oracle/openjdk@11.0.17%2B8-LTS"),
    ("syft/java-jre-oracle/1.8.0_451-b10/linux-amd64", "java", "java-binary-oracle", "jre", "1.8.0_451-b10", "pkg:generic/oracle/jre@1.8.0_451-b10"),
    ("syft/mariadb/10.6.15/linux-amd64", "mariadb", "mariadb-binary", "mariadb", "10.6.15", "pkg:generic/mariadb@10.6.15"),
    ("syft/mariadb/11.8.5/linux-amd64", "mariadb", "mariadb-binary", "mariadb", "11.8.5", "pkg:generic/mariadb@11.8.5"),
    ("syft/memcached/1.6.18/linux-amd64", "memcached", "memcached-binary", "memcached", "1.6.18", "pkg:generic/memcached@1.6.18"),
    ("syft/mysql/5.6.51/linux-amd64", "mysql", "mysql-binary", "mysql", "5.6.51", "pkg:generic/mysql@5.6.51"),
    ("syft/mysql/8.0.34/linux-amd64", "mysql", "mysql-binary", "mysql", "8.0.34", "pkg:generic/mysql@8.0.34"),
    ("syft/mysql/8.0.37/linux-amd64", "mysql", "mysql-binary", "mysql", "8.0.37", "pkg:generic/mysql@8.0.37"),
    ("syft/mysqld/9.7.0/linux-amd64", "mysqld", "mysqld-mysql-server-binary", "mysql-server", "9.7.0", "pkg:generic/mysql-server@9.7.0"),
    ("syft/nginx-openresty/1.21.4.3/linux-amd64", "nginx", "nginx-binary", "nginx", "1.21.4", "pkg:generic/nginx@1.21.4"),
    ("syft/nginx/1.25.1/linux-amd64", "nginx", "nginx-binary", "nginx", "1.25.1", "pkg:generic/nginx@1.25.1"),
    ("syft/node/0.10.48/linux-amd64", "node", "nodejs-binary", "node", "0.10.48", "pkg:generic/node@0.10.48"),
    ("syft/node/0.12.18/linux-amd64", "node", "nodejs-binary", "node", "0.12.18", "pkg:generic/node@0.12.18"),
    ("syft/node/19.2.0/linux-amd64", "node", "nodejs-binary", "node", "19.2.0", "pkg:generic/node@19.2.0"),
    ("syft/node/4.9.1/linux-amd64", "node", "nodejs-binary", "node", "4.9.1", "pkg:generic/node@4.9.1"),
    ("syft/openssl/1.1.1w/linux-arm64", "openssl", "openssl-binary", "openssl", "1.1.1w", "pkg:generic/openssl@1.1.1w"),
    ("syft/openssl/1.1.1zb/linux-arm64", "openssl", "openssl-binary", "openssl", "1.1.1zb", "pkg:generic/openssl@1.1.1zb"),
    ("syft/openssl/3.1.4/linux-amd64", "openssl", "openssl-binary", "openssl", "3.1.4", "pkg:generic/openssl@3.1.4"),
    ("syft/perl/5.12.5/linux-amd64", "perl", "perl-binary", "perl", "5.12.5", "pkg:generic/perl@5.12.5"),
    ("syft/perl/5.20.0/linux-amd64", "perl", "perl-binary", "perl", "5.20.0", "pkg:generic/perl@5.20.0"),
    ("syft/perl/5.37.8/linux-amd64", "perl", "perl-binary", "perl", "5.37.8", "pkg:generic/perl@5.37.8"),
    ("syft/php-apache/8.2.1/linux-amd64", "usr/lib/apache2/modules/libphp.so", "php-apache-binary", "php", "8.2.1", "pkg:generic/php@8.2.1"),
    ("syft/postgres/15.1/linux-amd64", "postgres", "postgresql-binary", "postgresql", "15.1", "pkg:generic/postgresql@15.1"),
    ("syft/postgres/15beta4/linux-amd64", "postgres", "postgresql-binary", "postgresql", "15beta4", "pkg:generic/postgresql@15beta4"),
    ("syft/postgres/9.5alpha1/linux-amd64", "postgres", "postgresql-binary", "postgresql", "9.5alpha1", "pkg:generic/postgresql@9.5alpha1"),
    ("syft/postgres/9.6.24/linux-amd64", "postgres", "postgresql-binary", "postgresql", "9.6.24", "pkg:generic/postgresql@9.6.24"),
    ("syft/python-shared-lib/3.7.4/linux-amd64", "libpython3.7m.so.1.0", "python-binary-lib", "python", "3.7.4", "pkg:generic/python@3.7.4"),
    ("syft/python-with-incorrect-match/3.5.3/linux-amd64", "python3.5", "python-binary", "python", "3.5.3", "pkg:generic/python@3.5.3"),
    ("syft/python/3.6.3/linux-amd64", "python3.6", "python-binary", "python", "3.6.3", "pkg:generic/python@3.6.3"),
    ("syft/redis-server/2.8.23/linux-amd64", "redis-server", "redis-binary", "redis", "2.8.23", "pkg:generic/redis@2.8.23"),
    ("syft/redis-server/4.0.11/linux-amd64", "redis-server", "redis-binary", "redis", "4.0.11", "pkg:generic/redis@4.0.11"),
    ("syft/redis-server/5.0.0/linux-amd64", "redis-server", "redis-binary", "redis", "5.0.0", "pkg:generic/redis@5.0.0"),
    ("syft/redis-server/6.0.16/linux-amd64", "redis-server", "redis-binary", "redis", "6.0.16", "pkg:generic/redis@6.0.16"),
    ("syft/redis-server/7.0.0/linux-amd64", "redis-server", "redis-binary", "redis", "7.0.0", "pkg:generic/redis@7.0.0"),
    ("syft/redis-server/7.0.14/linux-amd64", "redis-server", "redis-binary", "redis", "7.0.14", "pkg:generic/redis@7.0.14"),
    ("syft/redis-server/7.2.3/linux-amd64", "redis-server", "redis-binary", "redis", "7.2.3", "pkg:generic/redis@7.2.3"),
    ("syft/redis-server/7.2.3/linux-arm64", "redis-server", "redis-binary", "redis", "7.2.3", "pkg:generic/redis@7.2.3"),
    ("syft/redis-server/7.2.5/linux-386", "redis-server", "redis-binary", "redis", "7.2.5", "pkg:generic/redis@7.2.5"),
    ("syft/ruby/1.9.3p551/linux-amd64", "ruby", "ruby-binary", "ruby", "1.9.3p551", "pkg:generic/ruby@1.9.3p551"),
    ("syft/rust-libstd-musl/1.67.1/linux-amd64", "libstd-86aefecbddda356d.so", "rust-standard-library-linux", "rust", "1.67.1", "pkg:generic/rust@1.67.1"),
    ("syft/rust-libstd/1.50.0/linux-amd64", "libstd-6f77337c1826707d.so", "rust-standard-library-linux", "rust", "1.50.0", "pkg:generic/rust@1.50.0"),
    ("syft/rust-libstd/1.67.1/linux-amd64", "libstd-c6192dd4c4d410ac.so", "rust-standard-library-linux", "rust", "1.67.1", "pkg:generic/rust@1.67.1"),
    ("syft/traefik/1.7.34/linux-amd64", "traefik", "traefik-binary", "traefik", "1.7.34", "pkg:generic/traefik@1.7.34"),
    ("syft/traefik/2.10.7/linux-amd64", "traefik", "traefik-binary", "traefik", "2.10.7", "pkg:generic/traefik@2.10.7"),
    ("syft/traefik/2.9.6/linux-amd64", "traefik", "traefik-binary", "traefik", "2.9.6", "pkg:generic/traefik@2.9.6"),
    ("syft/traefik/3.0.4/linux-riscv64", "traefik", "traefik-binary", "traefik", "3.0.4", "pkg:generic/traefik@3.0.4"),
    ("syft/traefik/3.6.5/linux-amd64", "traefik", "traefik-binary", "traefik", "3.6.5", "pkg:generic/traefik@3.6.5"),
    ("syft/vault/1.11.6/linux-amd64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.11.6", "pkg:golang/github.com/hashicorp/vault@1.11.6"),
    ("syft/vault/1.13.13/linux-amd64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.13.13", "pkg:golang/github.com/hashicorp/vault@1.13.13"),
    ("syft/vault/1.14.10/linux-amd64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.14.10", "pkg:golang/github.com/hashicorp/vault@1.14.10"),
    ("syft/vault/1.14.3/linux-amd64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.14.3", "pkg:golang/github.com/hashicorp/vault@1.14.3"),
    ("syft/vault/1.19.4/linux-arm64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.19.4", "pkg:golang/github.com/hashicorp/vault@1.19.4"),
    ("syft/vault/1.20.2/linux-amd64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.20.2", "pkg:golang/github.com/hashicorp/vault@1.20.2"),
    ("syft/vault/1.21.0-rc1/linux-amd64", "vault", "hashicorp-vault-binary", "github.com/hashicorp/vault", "1.21.0-rc1", "pkg:golang/github.com/hashicorp/vault@1.21.0-rc1"),
];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/binary")
}

/// The bytes of a snippet file: after Syft's `### byte snippet to follow ###` line when it
/// has that header, else the whole file.
fn snippet(file: &Path) -> Vec<u8> {
    const MARK: &[u8] = b"### byte snippet to follow ###\n";
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    match bytes.windows(MARK.len()).position(|w| w == MARK) {
        Some(at) => bytes[at + MARK.len()..].to_vec(),
        None => bytes,
    }
}

fn classify(path: &str, bytes: &[u8]) -> FileFindings {
    BinaryClassifierCataloguer.parse_content(path, &mut Cursor::new(bytes), bytes.len() as u64)
}

#[test]
fn every_binary_sample_names_its_software() {
    for &(dir, path, class, name, version, purl) in SAMPLES {
        let bytes = snippet(&data().join(dir).join(path));
        let findings = classify(path, &bytes);
        assert!(
            findings.warnings.is_empty(),
            "{dir}: {:?}",
            findings.warnings
        );
        let [record] = findings.packages.as_slice() else {
            panic!("{dir}/{path}: {:?}", findings.packages);
        };
        let got = (
            record.metadata["classifier"].as_str().unwrap_or_default(),
            record.name.as_str(),
            record.version.as_str(),
            record.purl.as_deref().unwrap_or_default(),
        );
        assert_eq!(got, (class, name, version, purl), "{dir}/{path}");
        assert_eq!(record.database, path);
        let golang = purl.starts_with("pkg:golang/");
        assert_eq!(record.ecosystem == Ecosystem::Golang, golang, "{dir}");
        let evidence = record.metadata["evidence"].as_str().unwrap_or_default();
        assert!(evidence.len() <= 200, "{dir}: {evidence}");
        assert!(
            !record.metadata["cpes"].as_array().unwrap().is_empty(),
            "{dir}"
        );
    }
}

#[test]
fn every_binary_classifier_has_a_sample() {
    let sampled: BTreeSet<&str> = SAMPLES.iter().map(|s| s.2).collect();
    let missing: Vec<&str> = classes()
        .into_iter()
        .filter(|c| !sampled.contains(c))
        .collect();
    assert!(missing.is_empty(), "classes without a sample: {missing:?}");
}

#[test]
fn every_binary_sample_file_is_in_the_table() {
    let mut files = Vec::new();
    walk(&data(), &mut files);
    let listed: BTreeSet<PathBuf> = SAMPLES
        .iter()
        .map(|(dir, path, ..)| data().join(dir).join(path))
        .collect();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name != "README.md" {
            assert!(
                listed.contains(&file),
                "{} has no expectation",
                file.display()
            );
        }
    }
}

#[test]
fn cut_binary_samples_never_panic() {
    for &(dir, path, ..) in SAMPLES {
        let bytes = snippet(&data().join(dir).join(path));
        // Five cuts each: unoptimised (test profile) regexes take milliseconds per sample.
        for end in (0..bytes.len()).step_by(bytes.len() / 5 + 1) {
            classify(path, &bytes[..end]);
        }
    }
}

/// The manual check: every file of `$SBOMGEN_BINARY_TREE`, whole.
#[test]
#[ignore = "needs SBOMGEN_BINARY_TREE, an extracted tree of real binaries"]
fn classify_binaries_of_an_extracted_tree() {
    let Some(root) = std::env::var_os("SBOMGEN_BINARY_TREE") else {
        eprintln!("SBOMGEN_BINARY_TREE is not set");
        return;
    };
    let root = PathBuf::from(root);
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Ok(mut content) = std::fs::File::open(&file) else {
            continue;
        };
        let size = content.metadata().map_or(0, |m| m.len());
        let started = std::time::Instant::now();
        let findings = BinaryClassifierCataloguer.parse_content(&relative, &mut content, size);
        for record in &findings.packages {
            println!(
                "{relative}\t{}\t{}\t{}\t{}\t{:.0?}\t{}",
                record.metadata["classifier"].as_str().unwrap_or_default(),
                record.name,
                record.version,
                record.purl.as_deref().unwrap_or_default(),
                started.elapsed(),
                record.metadata["evidence"].as_str().unwrap_or_default(),
            );
        }
        for warning in &findings.warnings {
            println!("{relative}\twarning: {warning}");
        }
    }
}

/// Regular files under `dir` (symlinks are not followed, as the layer reader keeps none).
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), files);
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
}
