# CPack DEB settings (filled in by the packaging work; see packaging/).
