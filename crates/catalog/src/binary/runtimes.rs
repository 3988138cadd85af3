//! Classifiers for language runtimes and interpreters: Python, Node.js, Go, Java, Bash, Perl,
//! Ruby, PHP and the Rust standard library.
//!
//! Patterns are Syft's (`syft/pkg/cataloger/binary/classifiers.go`, `classifiers_java.go`,
//! `php/interpreter_cataloger.go`), with the differences noted at each entry. Syft's
//! `SharedLibraryLookup` (follow an executable's `DT_NEEDED` to `libpython*.so`,
//! `libruby.so`, `libjli.so`) needs other files than the one being read, which a
//! one-file-at-a-time cataloguer does not have: the libraries are classified where they lie
//! instead (`python-binary-lib`, `ruby-library`, `nodejs-library`).

use super::classifier::{generic, vendored, Classifier};

/// Python, Node.js, Go, Java, Bash, Perl, Ruby, PHP, Rust std.
pub(super) static CLASSIFIERS: &[Classifier] = &[
    Classifier {
        class: "python-binary",
        group: None,
        globs: &["**/python*"],
        // `python3.11` names its minor version; `python3` and `python3.11-config` are not
        // read (`python3` is a symlink in every distribution).
        path: Some(r"(?:^|/)python(?P<version>[0-9]+(?:\.[0-9]+)+)$"),
        evidence: &[&[PYTHON_VERSION]],
        package: generic("python", PYTHON_CPES),
    },
    Classifier {
        class: "python-binary-lib",
        group: None,
        globs: &["**/libpython*.so*"],
        path: Some(r"(?:^|/)libpython(?P<version>[0-9]+(?:\.[0-9]+)+)[a-z]?\.so[^/]*$"),
        evidence: &[&[PYTHON_VERSION]],
        package: generic("python", PYTHON_CPES),
    },
    Classifier {
        class: "nodejs-binary",
        group: None,
        globs: &["**/node"],
        evidence: NODE_EVIDENCE,
        path: None,
        package: generic("node", NODE_CPES),
    },
    // Not in Syft: Debian's and Ubuntu's `node` is a 30 KB launcher for `libnode.so.NNN`.
    Classifier {
        class: "nodejs-library",
        group: None,
        globs: &["**/libnode.so*"],
        path: None,
        evidence: NODE_EVIDENCE,
        package: generic("node", NODE_CPES),
    },
    // Syft also reads a `VERSION` file beside or above the binary; only the binary is read
    // here.
    Classifier {
        class: "go-binary",
        group: None,
        globs: &["**/go", "**/go.exe"],
        path: None,
        evidence: &[&[
            r"go(?P<version>[0-9]+\.[0-9]+(?:\.[0-9]+|beta[0-9]+|alpha[0-9]+|rc[0-9]+)?)\x00",
        ]],
        package: generic("go", &["cpe:2.3:a:golang:go:{version}:*:*:*:*:*:*:*"]),
    },
    // The `java` launcher: Syft's branches, in its order; the first that matches wins.
    // Syft's Zulu, IBM and "openjdk fallthrough" branches are left out, for want of a real
    // sample to test them on: Zulu's launcher then falls to `java-binary-openjdk`, IBM's and
    // the fallthrough's to `java-binary-oracle` (the fallthrough's purl, `oracle/jre`) when
    // their strings are laid out as `[NUL]java[NUL]<release>[NUL]<version>[NUL]`.
    Classifier {
        class: "java-binary-graalvm",
        group: Some("java-binary"),
        globs: JAVA,
        path: None,
        evidence: &[&[
            r"\x00(?P<version>[0-9]+[.0-9]+[.0-9]+\+[0-9]+-jvmci-[0-9]+[.0-9]+-b[0-9]+)\x00",
        ]],
        package: vendored(
            "oracle",
            "graalvm",
            &["cpe:2.3:a:oracle:graalvm:{version}:*:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "java-binary-openjdk-with-update",
        group: Some("java-binary"),
        globs: JAVA,
        path: None,
        evidence: &[
            // [NUL]openjdk[NUL]java[NUL]1.8[NUL]1.8.0_352-b08[NUL]
            &[
                "openjdk",
                r"java\x00(?P<release>[0-9]+[.0-9]*)\x00(?P<version>(?P<primary>[0-9]+[^\x00]+)_(?P<update>[^\x00]+)-[^\x00]+)\x00",
            ],
            &[
                "openjdk",
                r"\x00(?P<release>[0-9]+[.0-9]*)\x00+(?P<version>(?P<primary>[0-9]+[^\x00]+)_(?P<update>[^\x00]+)-[^\x00]+)\x00+openjdk\x00java",
            ],
        ],
        package: vendored(
            "oracle",
            "openjdk",
            &["cpe:2.3:a:oracle:openjdk:{primary}:update{update}:*:*:*:*:*:*"],
        ),
    },
    Classifier {
        class: "java-binary-openjdk",
        group: Some("java-binary"),
        globs: JAVA,
        path: None,
        evidence: &[
            // [NUL]openjdk[NUL]java[NUL]0.0[NUL]17.0.21.1+2-1-deb12u1-Debian[NUL]
            &[
                r"\x00openjdk\x00java\x00(?P<release>[0-9]+[.0-9]*)\x00(?P<version>[0-9]+[^\x00]+)\x00",
            ],
            // arm64: [NUL]0.0[NUL]…[NUL]11.0.22+7[NUL]…[NUL]openjdk[NUL]java[NUL]
            &[
                r"\x00(?P<release>[0-9]+[.0-9]*)\x00+(?P<version>[0-9]+[^\x00]+)\x00+openjdk\x00java",
            ],
        ],
        package: vendored("oracle", "openjdk", OPENJDK_CPES),
    },
    Classifier {
        class: "java-binary-oracle",
        group: Some("java-binary"),
        globs: JAVA,
        path: None,
        // Syft takes any `[NUL]N.N.x[NUL]` (in a large file called `java`, even
        // `[NUL]127.0.0.1[NUL]`); here it must follow the launcher's program name and release,
        // as every JDK launcher lays them out: [NUL]java[NUL]1.8[NUL]1.8.0_451-b10[NUL].
        evidence: &[&[
            r"\x00java\x00+(?P<release>[0-9]+[.0-9]*)\x00+(?P<version>[0-9]+\.[0-9]+\.[-._+a-zA-Z0-9]+)\x00",
        ]],
        package: vendored("oracle", "jre", JRE_CPES),
    },
    Classifier {
        class: "bash-binary",
        group: None,
        globs: &["**/bash"],
        path: None,
        evidence: &[&[
            r"@\(#\)Bash version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\([0-9]\) [a-z0-9]+ GNU",
        ]],
        package: generic("bash", &["cpe:2.3:a:gnu:bash:{version}:*:*:*:*:*:*:*"]),
    },
    Classifier {
        class: "perl-binary",
        group: None,
        globs: &["**/perl"],
        path: None,
        evidence: &[
            // The official image's `/usr/local/lib/perl5/5.36.0`.
            &[r"/usr/local/lib/perl\d/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
            // Not in Syft: Debian's site directories (`/usr/local/share/perl/5.36.0`).
            &[
                r"/usr/local/(?:share|lib/[a-z0-9_]+-linux-gnu[a-z0-9_]*)/perl/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00",
            ],
        ],
        package: generic("perl", &["cpe:2.3:a:perl:perl:{version}:*:*:*:*:*:*:*"]),
    },
    Classifier {
        class: "ruby-binary",
        group: None,
        globs: &["**/ruby"],
        path: None,
        evidence: RUBY_EVIDENCE,
        package: generic("ruby", RUBY_CPES),
    },
    // Syft finds `libruby.so` through the `ruby` executable; here the library is read where it
    // lies (Debian's `libruby-3.1.so.3.1.2`, the official image's `libruby.so.3.2.1`).
    Classifier {
        class: "ruby-library",
        group: None,
        globs: &["**/libruby*.so*"],
        path: None,
        evidence: RUBY_EVIDENCE,
        package: generic("ruby", RUBY_CPES),
    },
    // Syft's PHP interpreter cataloguer names these `php-cli`, `php-fpm` and `php`; all are
    // PHP, named so here (as in LANGUAGES.md §7). Syft wants `php[0-9]*` as the CLI's name,
    // which misses Debian's `php8.2`.
    Classifier {
        class: "php-cli-binary",
        group: None,
        globs: &["**/php*"],
        path: Some(r"(?:^|/)php[0-9.]*$"),
        evidence: PHP_EVIDENCE,
        package: generic("php", PHP_CPES),
    },
    Classifier {
        class: "php-fpm-binary",
        group: None,
        globs: &["**/php-fpm*"],
        path: None,
        evidence: PHP_EVIDENCE,
        package: generic("php", PHP_CPES),
    },
    Classifier {
        class: "php-apache-binary",
        group: None,
        globs: &["**/apache*/**/libphp*.so"],
        path: None,
        evidence: PHP_EVIDENCE,
        package: generic("php", PHP_CPES),
    },
    Classifier {
        class: "rust-standard-library-linux",
        group: None,
        globs: &["**/libstd-*.so"],
        path: None,
        evidence: &[
            // clang LLVM (rustc version 1.48.0 (7eac88abb 2020-11-16))
            &[
                r"\x00clang LLVM \(rustc version (?P<version>[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)) \(\w+ \d{4}-\d{2}-\d{2}\)",
            ],
            // Not in Syft: Debian builds from `/usr/src/rustc-1.63.0/` and strips `.comment`.
            &[r"/rustc-(?P<version>[0-9]+\.[0-9]+\.[0-9]+)/library/"],
        ],
        package: generic(
            "rust",
            &["cpe:2.3:a:rust-lang:rust:{version}:*:*:*:*:*:*:*"],
        ),
    },
];

/// `[NUL]3.11.2[NUL]`; the path's version (`3.11`) must be its prefix. Syft builds one regex
/// per file from a template instead.
const PYTHON_VERSION: &str = r"\x00(?P<version>[0-9]+\.[0-9]+[-._a-zA-Z0-9]*)\x00";

const PYTHON_CPES: &[&str] = &[
    "cpe:2.3:a:python_software_foundation:python:{version}:*:*:*:*:*:*:*",
    "cpe:2.3:a:python:python:{version}:*:*:*:*:*:*:*",
];

const NODE_EVIDENCE: &[&[&str]] = &[
    // [NUL]node v0.10.48[NUL], [NUL]v4.9.1[NUL]
    &[r"\x00(?:node )?v(?P<version>(?:0|4|5|6)\.[0-9]+\.[0-9]+)\x00"],
    // node.js/v22.9.0
    &[r"node\.js/v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"],
];

const NODE_CPES: &[&str] = &["cpe:2.3:a:nodejs:node.js:{version}:*:*:*:*:*:*:*"];

const JAVA: &[&str] = &["**/java"];

const OPENJDK_CPES: &[&str] = &["cpe:2.3:a:oracle:openjdk:{version}:*:*:*:*:*:*:*"];

const JRE_CPES: &[&str] = &["cpe:2.3:a:oracle:jre:{version}:*:*:*:*:*:*:*"];

/// ruby 3.2.1 (2023-02-08 revision 31819e82c8) [x86_64-linux], ruby 2.7.7p221 (…
const RUBY_EVIDENCE: &[&[&str]] =
    &[&[r"ruby (?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:(?:p|preview|rc|dev)[0-9]*)?) "]];

const RUBY_CPES: &[&str] = &["cpe:2.3:a:ruby-lang:ruby:{version}:*:*:*:*:*:*:*"];

const PHP_EVIDENCE: &[&[&str]] = &[&[
    r"X-Powered-By: PHP/(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:beta[0-9]+|alpha[0-9]+|RC[0-9]+)?)",
]];

const PHP_CPES: &[&str] = &["cpe:2.3:a:php:php:{version}:*:*:*:*:*:*:*"];
