"""Zip work for sbomgen's binaries fixtures, done with Python's own zipfile module.

    ziptool.py gomod PROXY MODULE VERSION SRC
        Adds MODULE@VERSION to the file GOPROXY directory PROXY, as the module proxy protocol
        lays it out (https://go.dev/ref/mod#goproxy-protocol): @v/list, VERSION.info,
        VERSION.mod and VERSION.zip holding every file under SRC (go.mod included) below the
        prefix MODULE@VERSION/. `go` computes the h1: sums itself when it downloads them.

    ziptool.py poms ROOT ARCHIVE...
        Prints, as JSON, every META-INF/maven/**/pom.properties in each archive (a path relative
        to ROOT) and in every .jar/.war/.ear nested in it, at any depth: location
        (ARCHIVE!/nested.jar!/…), entry, groupId, artifactId, version, hasManifest. This is the
        fixtures' ground truth for Java, read by an implementation independent of sbomgen's.

    ziptool.py fatjar OUT COUNT
        Writes a Spring-Boot-style fat jar with COUNT generated nested jars in BOOT-INF/lib
        (stored, as Spring Boot stores them), each with a MANIFEST.MF, pom.properties, pom.xml
        and class-sized filler; deterministic.
"""

import io
import json
import os
import random
import sys
import zipfile

FIXED_TIME = (2024, 1, 2, 3, 4, 6)


def gomod(proxy, module, version, src):
    base = os.path.join(proxy, module, "@v")
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(src, "go.mod"), "rb") as f:
        gomod_bytes = f.read()
    with open(os.path.join(base, version + ".mod"), "wb") as f:
        f.write(gomod_bytes)
    with open(os.path.join(base, version + ".info"), "w") as f:
        json.dump({"Version": version, "Time": "2024-01-02T03:04:05Z"}, f)
    with zipfile.ZipFile(os.path.join(base, version + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, src).replace(os.sep, "/")
                info = zipfile.ZipInfo(module + "@" + version + "/" + rel, FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    z.writestr(info, f.read())
    listed = os.path.join(base, "list")
    versions = []
    if os.path.exists(listed):
        with open(listed) as f:
            versions = f.read().split()
    if version not in versions:
        versions.append(version)
    with open(listed, "w") as f:
        f.write("".join(v + "\n" for v in versions))


def properties(text):
    """java.util.Properties, the subset pom.properties files use."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        cut = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if cut < 0:
            continue
        out[line[:cut].strip()] = line[cut + 1 :].strip()
    return out


def walk(location, data, out, depth):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        has_manifest = "META-INF/MANIFEST.MF" in names
        for name in sorted(names):
            if name.startswith("META-INF/maven/") and name.endswith("/pom.properties"):
                props = properties(z.read(name).decode("utf-8", "replace"))
                out.append(
                    {
                        "location": location,
                        "entry": name,
                        "groupId": props.get("groupId", ""),
                        "artifactId": props.get("artifactId", ""),
                        "version": props.get("version", ""),
                        "hasManifest": has_manifest,
                    }
                )
            elif name.lower().endswith((".jar", ".war", ".ear")) and depth < 8:
                walk(location + "!/" + name, z.read(name), out, depth + 1)


def poms(root, archives):
    out = []
    for rel in archives:
        with open(os.path.join(root, rel), "rb") as f:
            walk(rel, f.read(), out, 0)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


def entry(z, name, data, stored=False):
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def filler(rng, size):
    """Bytes that compress about like class files (a constant pool of repeated names)."""
    words = [b"java/lang/Object", b"java/lang/String", b"<init>", b"()V", b"Code",
             b"LineNumberTable", b"org/bench/", b"Ljava/util/List;", b"StackMapTable"]
    out = bytearray(b"\xca\xfe\xba\xbe\x00\x00\x00\x37")
    while len(out) < size:
        if rng.random() < 0.6:
            out += rng.choice(words)
        else:
            out += rng.getrandbits(96).to_bytes(12, "little")
    return bytes(out[:size])


def fatjar(out_path, count):
    rng = random.Random(20240102)
    lib = []
    for i in range(count):
        group = "org.bench.g%02d" % (i % 7)
        artifact = "bench-lib-%02d" % i
        version = "%d.%d.%d" % (1 + i % 4, i % 10, i % 3)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            entry(z, "META-INF/MANIFEST.MF",
                  "Manifest-Version: 1.0\nImplementation-Title: %s\nImplementation-Version: %s\n"
                  "Automatic-Module-Name: %s.%s\n\n" % (artifact, version, group,
                                                       artifact.replace("-", "_")))
            prefix = "META-INF/maven/%s/%s/" % (group, artifact)
            entry(z, prefix + "pom.properties",
                  "groupId=%s\nartifactId=%s\nversion=%s\n" % (group, artifact, version))
            entry(z, prefix + "pom.xml",
                  "<project><modelVersion>4.0.0</modelVersion><groupId>%s</groupId>"
                  "<artifactId>%s</artifactId><version>%s</version></project>\n"
                  % (group, artifact, version))
            if i % 10 == 3:
                # A shaded dependency inside, as maven-shade-plugin leaves it.
                shaded = "META-INF/maven/org.shaded/shaded-%02d/" % i
                entry(z, shaded + "pom.properties",
                      "groupId=org.shaded\nartifactId=shaded-%02d\nversion=0.%d\n" % (i, i))
            classes = 20 + rng.randrange(200)
            for c in range(classes):
                entry(z, "org/bench/g%02d/l%02d/C%03d.class" % (i % 7, i, c),
                      filler(rng, 800 + rng.randrange(6000)))
        lib.append(("BOOT-INF/lib/%s-%s.jar" % (artifact, version), buf.getvalue()))
    with zipfile.ZipFile(out_path, "w") as z:
        entry(z, "META-INF/MANIFEST.MF",
              "Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\n"
              "Start-Class: org.bench.App\nSpring-Boot-Version: 3.2.5\n"
              "Spring-Boot-Classes: BOOT-INF/classes/\nSpring-Boot-Lib: BOOT-INF/lib/\n\n")
        entry(z, "META-INF/maven/org.bench/bench-app/pom.properties",
              "groupId=org.bench\nartifactId=bench-app\nversion=7.0.0\n")
        for c in range(40):
            entry(z, "BOOT-INF/classes/org/bench/App%02d.class" % c, filler(rng, 2000))
        for name, data in lib:
            entry(z, name, data, stored=True)


def main(argv):
    if argv[1] == "gomod":
        gomod(*argv[2:6])
    elif argv[1] == "poms":
        poms(argv[2], argv[3:])
    elif argv[1] == "fatjar":
        fatjar(argv[2], int(argv[3]))
    else:
        sys.exit("unknown command " + argv[1])


if __name__ == "__main__":
    main(sys.argv)
