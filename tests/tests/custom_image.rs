//! Starting Julia from a given bin directory and system image (`InitOptions::image`,
//! `Builder::image`), and the errors that name a missing directory or image, or a file
//! that is no image.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use jlrs_core::{InitError, InitOptions, Runtime};
use jlrs_mt::{Builder, RuntimeError};
use jlrs_tests::{deploy::empty_dir, watchdog};

/// The provisioned Julia's `bin/` and system image.
fn provisioned() -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(std::env::var("JULIA_DIR").expect("run through `cargo xtask exec`"));
    let image = ["lib/x86_64-linux-gnu/julia/sys.so", "lib/julia/sys.so"]
        .iter()
        .map(|p| dir.join(p))
        .find(|p| p.is_file())
        .expect("the provisioned Julia has a system image");
    (dir.join("bin"), image)
}

/// The path an init error names, checking that its message names it too.
fn bad_path(err: &InitError) -> &Path {
    match err {
        InitError::BadPath { path, .. } => {
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "the message names the path: {err}"
            );
            path
        }
        other => panic!("expected BadPath, got {other:?}"),
    }
}

/// The image an init error refuses, checking that its message names it.
fn bad_image(err: &InitError) -> &Path {
    match err {
        InitError::BadImage { path, reason } => {
            assert!(
                err.to_string().contains(&path.display().to_string()) && !reason.is_empty(),
                "the message names the image and why: {err}"
            );
            path
        }
        other => panic!("expected BadImage, got {other:?}"),
    }
}

#[test]
fn a_missing_image_or_bin_directory_is_named_before_julia_starts() {
    let _dog = watchdog("image path errors", Duration::from_secs(60));
    let (bindir, image) = provisioned();
    let dir = empty_dir("custom-image-errors");

    let missing_image = dir.join("no_such_image.so");
    let err = Runtime::init(InitOptions::new().image(&bindir, &missing_image))
        .expect_err("a missing image is an error");
    assert_eq!(bad_path(&err), missing_image);
    assert!(err.to_string().contains("system image"), "{err}");

    let missing_bindir = dir.join("no_such_bin");
    let err = Runtime::init(InitOptions::new().image(&missing_bindir, &image))
        .expect_err("a missing bin directory is an error");
    assert_eq!(bad_path(&err), missing_bindir);
    assert!(err.to_string().contains("bin directory"), "{err}");

    // A directory given as the image, and a file given as the bin directory.
    let err = Runtime::init(InitOptions::new().image(&bindir, &dir))
        .err()
        .unwrap();
    assert_eq!(bad_path(&err), dir);
    let err = Runtime::init(InitOptions::new().image(&image, &image))
        .err()
        .unwrap();
    assert_eq!(bad_path(&err), image);

    // A relative image is relative to the current directory, and named absolute.
    let err = Runtime::init(InitOptions::new().image(&bindir, "relative_image.so"))
        .err()
        .unwrap();
    assert_eq!(
        bad_path(&err),
        std::env::current_dir().unwrap().join("relative_image.so")
    );

    // Files that are no system image: Julia would end the process, so they are refused.
    let text = dir.join("not_an_image.so");
    std::fs::write(&text, "not a system image").unwrap();
    let err = Runtime::init(InitOptions::new().image(&bindir, &text))
        .expect_err("a text file is no image");
    assert_eq!(bad_image(&err), text);
    let library = image
        .parent()
        .unwrap()
        .join("libdSFMT.so")
        .canonicalize()
        .expect("Julia ships libdSFMT");
    let err = Runtime::init(InitOptions::new().image(&bindir, &library))
        .expect_err("a library that is no image");
    assert_eq!(bad_image(&err), library);
    assert!(err.to_string().contains("not a system image"), "{err}");
    // Julia's own test of this check gives libjulia as the image.
    let libjulia = bindir
        .parent()
        .unwrap()
        .join("lib/x86_64-linux-gnu/libjulia.so.1");
    let err = Runtime::init(InitOptions::new().image(&bindir, &libjulia))
        .expect_err("libjulia is no image");
    assert_eq!(bad_image(&err), libjulia);

    // The multithreaded runtime's builder reports the same, without starting Julia.
    let err = Builder::new()
        .image(&bindir, &missing_image)
        .spawn_mt()
        .expect_err("a missing image is an error");
    match &err {
        RuntimeError::Init(init) => assert_eq!(bad_path(init), missing_image),
        other => panic!("expected an init error, got {other:?}"),
    }
    let err = Builder::new()
        .image(&missing_bindir, &image)
        .start_mt(|_| ())
        .expect_err("a missing bin directory is an error");
    match &err {
        RuntimeError::Init(init) => assert_eq!(bad_path(init), missing_bindir),
        other => panic!("expected an init error, got {other:?}"),
    }
    let err = Builder::new()
        .image(&bindir, &text)
        .spawn_mt()
        .expect_err("a text file is no image");
    match &err {
        RuntimeError::Init(init) => assert_eq!(bad_image(init), text),
        other => panic!("expected an init error, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn julia_starts_from_the_image_given() {
    let _dog = watchdog("start from a custom image", Duration::from_secs(240));
    let (bindir, image) = provisioned();
    // The provisioned image under another name, so that only the path given can find it.
    let dir = empty_dir("custom-image");
    let copy = dir.join("app_image.so");
    if std::fs::hard_link(&image, &copy).is_err() {
        std::fs::copy(&image, &copy).expect("cannot copy the system image");
    }

    let (mt, runtime) = Builder::new()
        .n_threads(1)
        .with_threads(1)
        .image(&bindir, &copy)
        .spawn_mt()
        .expect("cannot start Julia from the copied image");
    let (image_file, julia_bindir, sum) = mt
        .with(|julia| {
            julia.scope(|mut frame| {
                let image_file = frame
                    .eval("unsafe_string(Base.JLOptions().image_file)")?
                    .unbox::<String>()?;
                let julia_bindir = frame.eval("Sys.BINDIR")?.unbox::<String>()?;
                let sum = frame.eval("sum(1:10)")?.unbox::<i64>()?;
                Ok((image_file, julia_bindir, sum))
            })
        })
        .expect("Julia runs from the copied image");
    assert_eq!(Path::new(&image_file), copy);
    assert_eq!(Path::new(&julia_bindir), bindir);
    assert_eq!(sum, 55);
    // The process maps the copy, not the provisioned image.
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    assert!(
        maps.contains(&copy.display().to_string()),
        "the copied image is mapped"
    );
    assert!(
        !maps.contains(&image.display().to_string()),
        "the provisioned image is not mapped"
    );

    drop(mt);
    runtime.join().expect("the runtime thread ends");
    let _ = std::fs::remove_dir_all(&dir);
}
