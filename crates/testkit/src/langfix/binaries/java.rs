//! Java: classes compiled by `javac`, archives made by `jar`, in the shapes Maven, the shade
//! plugin, Spring Boot and war packaging leave.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::build::Build;
use super::super::tools::run;
use super::super::Unavailable;
use super::toolchain::Toolchain;

/// The jar layer 4 rewrites in place with its 1.1.0 build.
pub(crate) const APP_JAR: &str = "opt/app/app-1.0.jar";
const SHADED_JAR: &str = "opt/app/lib/shaded-2.0.jar";
const FAT_JAR: &str = "opt/app/service.jar";
const WAR: &str = "opt/webapps/store.war";
const NO_MANIFEST_JAR: &str = "opt/tools/nomanifest-0.5.jar";

/// (source file under `src/`, its code).
const SOURCES: &[(&str, &str)] = &[
    (
        "com/example/app/Main.java",
        "package com.example.app;\n\npublic class Main {\n    public static void main(String[] args) {\n        System.out.println(\"app\");\n    }\n}\n",
    ),
    (
        "com/example/shaded/Shaded.java",
        "package com.example.shaded;\n\npublic class Shaded {\n    public static String both() {\n        return org.shaded.alpha.Alpha.NAME + io.shaded.beta.Beta.NAME;\n    }\n}\n",
    ),
    (
        "org/shaded/alpha/Alpha.java",
        "package org.shaded.alpha;\n\npublic class Alpha {\n    public static final String NAME = \"alpha\";\n}\n",
    ),
    (
        "io/shaded/beta/Beta.java",
        "package io.shaded.beta;\n\npublic class Beta {\n    public static final String NAME = \"beta\";\n}\n",
    ),
    (
        "com/example/service/Application.java",
        "package com.example.service;\n\npublic class Application {\n    public static void main(String[] args) {\n        System.out.println(com.example.dep.Dep.hello());\n    }\n}\n",
    ),
    (
        "org/apache/log4j/Category.java",
        "package org.apache.log4j;\n\npublic class Category {\n    public void info(Object message) {}\n}\n",
    ),
    (
        "com/example/dep/Dep.java",
        "package com.example.dep;\n\npublic class Dep {\n    public static String hello() {\n        return \"dep\";\n    }\n}\n",
    ),
    (
        "com/example/store/Store.java",
        "package com.example.store;\n\npublic class Store {\n    public com.example.store.model.Item item() {\n        return new com.example.store.model.Item();\n    }\n}\n",
    ),
    (
        "com/example/store/model/Item.java",
        "package com.example.store.model;\n\npublic class Item {\n    public String name = \"item\";\n}\n",
    ),
    (
        "com/example/nomanifest/Tool.java",
        "package com.example.nomanifest;\n\npublic class Tool {\n    public static void main(String[] args) {}\n}\n",
    ),
];

#[derive(Debug)]
pub(crate) struct Jdk {
    javac: PathBuf,
    jar: PathBuf,
    home: PathBuf,
}

impl Jdk {
    /// Compiles every class once, into `classes/`.
    pub(super) fn new(tc: &Toolchain, home: &Path) -> Result<Jdk, Unavailable> {
        fs::create_dir_all(home)?;
        let jdk = Jdk {
            javac: tc.javac.clone(),
            jar: tc.jar.clone(),
            home: home.canonicalize()?,
        };
        let src = jdk.home.join("src");
        let mut javac = jdk.tool(&jdk.javac);
        javac
            .args(["--release", "11", "-d"])
            .arg(jdk.home.join("classes"));
        for (file, code) in SOURCES {
            let path = src.join(file);
            fs::create_dir_all(path.parent().expect("sources have a parent"))?;
            fs::write(&path, code)?;
            javac.arg(path);
        }
        run(&mut javac, "javac")?;
        Ok(jdk)
    }

    /// `javac` or `jar`, started quickly (these JVMs live half a second).
    fn tool(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        c.args(["-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"])
            .current_dir(&self.home)
            .stdin(Stdio::null());
        c
    }

    /// A fresh staging directory `stage/<name>` holding the classes of `packages`.
    fn stage(&self, name: &str, packages: &[&str], into: &str) -> Result<PathBuf, Unavailable> {
        let stage = self.home.join("stage").join(name);
        if stage.exists() {
            fs::remove_dir_all(&stage)?;
        }
        for package in packages {
            copy_dir(
                &self.home.join("classes").join(package),
                &stage.join(into).join(package),
            )?;
        }
        fs::create_dir_all(&stage)?;
        Ok(stage)
    }

    /// `jar --create` of `stage` into `out`, with `manifest` (`None`: `--no-manifest`).
    fn jar(&self, stage: &Path, out: &Path, manifest: Option<&str>) -> Result<(), Unavailable> {
        fs::create_dir_all(out.parent().expect("archives have a parent"))?;
        let _ = fs::remove_file(out);
        let mut c = self.tool(&self.jar);
        c.args(["--create", "--file"]).arg(out);
        match manifest {
            Some(text) => {
                let name = out.file_name().expect("archives have a name");
                let path = self.home.join("manifests").join(name);
                fs::create_dir_all(self.home.join("manifests"))?;
                fs::write(&path, text)?;
                c.arg("--manifest").arg(path);
            }
            None => {
                c.arg("--no-manifest");
            }
        }
        run(c.arg("-C").arg(stage).arg("."), "jar --create")?;
        Ok(())
    }

    /// The plain application jar, `com.example:app:<version>`, written to `rel` in the root.
    pub(super) fn app_jar(&self, b: &Build, version: &str, rel: &str) -> Result<(), Unavailable> {
        let stage = self.stage(&format!("app-{version}"), &["com/example/app"], "")?;
        pom(&stage, "com.example", "app", version)?;
        self.jar(
            &stage,
            &b.path(rel),
            Some(&format!(
                "Main-Class: com.example.app.Main\nImplementation-Title: app\nImplementation-Version: {version}\nImplementation-Vendor-Id: com.example\n"
            )),
        )
    }

    /// Layer 3's archives; returns their root-relative paths.
    pub(super) fn fixture_archives(&self, b: &Build) -> Result<Vec<String>, Unavailable> {
        self.app_jar(b, "1.0.0", APP_JAR)?;

        // maven-shade-plugin keeps the shaded artifacts' pom.properties beside the jar's own.
        let shaded = self.stage(
            "shaded",
            &["com/example/shaded", "org/shaded/alpha", "io/shaded/beta"],
            "",
        )?;
        pom(&shaded, "com.example", "shaded", "2.0.0")?;
        pom(&shaded, "org.shaded", "alpha", "3.2.1")?;
        pom(&shaded, "io.shaded", "beta", "0.9.0")?;
        self.jar(
            &shaded,
            &b.path(SHADED_JAR),
            Some("Implementation-Title: shaded\nImplementation-Version: 2.0.0\n"),
        )?;

        // Spring Boot: the application's classes under BOOT-INF/classes, its dependencies as
        // jars under BOOT-INF/lib, stored uncompressed (the launcher maps them in place).
        let dep = self.stage("dep", &["com/example/dep"], "")?;
        pom(&dep, "com.example", "dep", "1.0")?;
        let dep_jar = self.home.join("stage/service-lib/BOOT-INF/lib/dep-1.0.jar");
        self.jar(
            &dep,
            &dep_jar,
            Some("Implementation-Title: dep\nImplementation-Version: 1.0\n"),
        )?;
        // An artifactId that looks like it holds a version (`log4j-1.2-api`): the file name
        // alone cannot say where the version starts; pom.properties can.
        let bridge = self.stage("log4j-1.2-api", &["org/apache/log4j"], "")?;
        pom(
            &bridge,
            "org.apache.logging.log4j",
            "log4j-1.2-api",
            "2.20.0",
        )?;
        self.jar(
            &bridge,
            &self
                .home
                .join("stage/service-lib/BOOT-INF/lib/log4j-1.2-api-2.20.0.jar"),
            Some("Implementation-Title: Apache Log4j 1.x Compatibility API\nImplementation-Version: 2.20.0\nBundle-SymbolicName: org.apache.logging.log4j.1.2-api\n"),
        )?;
        let service = self.stage("service", &["com/example/service"], "BOOT-INF/classes")?;
        pom(&service, "com.example", "service", "3.1.0")?;
        let fat = b.path(FAT_JAR);
        self.jar(
            &service,
            &fat,
            Some("Main-Class: org.springframework.boot.loader.JarLauncher\nStart-Class: com.example.service.Application\nSpring-Boot-Version: 3.2.5\nSpring-Boot-Classes: BOOT-INF/classes/\nSpring-Boot-Lib: BOOT-INF/lib/\n"),
        )?;
        run(
            self.tool(&self.jar)
                .args(["--update", "--no-compress", "--file"])
                .arg(&fat)
                .arg("-C")
                .arg(self.home.join("stage/service-lib"))
                .arg("BOOT-INF/lib/dep-1.0.jar")
                .arg("-C")
                .arg(self.home.join("stage/service-lib"))
                .arg("BOOT-INF/lib/log4j-1.2-api-2.20.0.jar"),
            "jar --update --no-compress",
        )?;

        // A war: classes under WEB-INF/classes, library jars under WEB-INF/lib.
        let model = self.stage("store-model", &["com/example/store/model"], "")?;
        pom(&model, "com.example", "store-model", "1.4.0")?;
        let war = self.stage("store", &[], "")?;
        copy_file(
            &self.home.join("classes/com/example/store/Store.class"),
            &war.join("WEB-INF/classes/com/example/store/Store.class"),
        )?;
        fs::write(
            war.join("WEB-INF/web.xml"),
            "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\"/>\n",
        )?;
        self.jar(
            &model,
            &war.join("WEB-INF/lib/store-model-1.4.jar"),
            Some("Implementation-Title: store-model\nImplementation-Version: 1.4.0\n"),
        )?;
        pom(&war, "com.example", "store", "5.0.0")?;
        self.jar(&war, &b.path(WAR), Some("Implementation-Title: store\n"))?;

        // No META-INF/MANIFEST.MF at all, yet Maven coordinates.
        let bare = self.stage("nomanifest", &["com/example/nomanifest"], "")?;
        pom(&bare, "com.example", "nomanifest", "0.5.0")?;
        self.jar(&bare, &b.path(NO_MANIFEST_JAR), None)?;

        Ok([APP_JAR, SHADED_JAR, FAT_JAR, WAR, NO_MANIFEST_JAR]
            .map(str::to_string)
            .to_vec())
    }
}

/// `META-INF/maven/<g>/<a>/pom.properties` and `pom.xml`, as Maven's archiver writes them.
fn pom(stage: &Path, group: &str, artifact: &str, version: &str) -> Result<(), Unavailable> {
    let dir = stage.join("META-INF/maven").join(group).join(artifact);
    fs::create_dir_all(&dir)?;
    fs::write(
        dir.join("pom.properties"),
        format!("#Created by Apache Maven 3.9.6\nartifactId={artifact}\ngroupId={group}\nversion={version}\n"),
    )?;
    fs::write(
        dir.join("pom.xml"),
        format!(
            "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>{group}</groupId>\n  <artifactId>{artifact}</artifactId>\n  <version>{version}</version>\n</project>\n"
        ),
    )?;
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), Unavailable> {
    fs::create_dir_all(to.parent().expect("files have a parent"))?;
    fs::copy(from, to)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Unavailable> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
