// PackageIndex
