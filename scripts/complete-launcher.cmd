@"%~dp0kubectl-netdiag.exe" __complete %*
