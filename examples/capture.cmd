@echo off
rem Take a PoolMon snapshot every N minutes, each after a timestamp line, in ASCII,
rem ready for `poolscan analyze poolmon.log`.
rem Usage: capture.cmd [minutes] [logfile]     (stop with Ctrl+C)
rem Needs poolmon.exe on the PATH (WDK: Windows Kits\10\Tools\<version>\x64).
setlocal
set MINUTES=%1
if "%MINUTES%"=="" set MINUTES=5
set LOG=%2
if "%LOG%"=="" set LOG=poolmon.log
set /a SECONDS=%MINUTES%*60
set TAGS=
if exist pooltag.txt set TAGS=/g pooltag.txt
if "%TAGS%"=="" if exist "%ProgramFiles(x86)%\Windows Kits\10\Debuggers\x64\triage\pooltag.txt" set TAGS=/g "%ProgramFiles(x86)%\Windows Kits\10\Debuggers\x64\triage\pooltag.txt"
echo Writing a snapshot every %MINUTES% min to %LOG% %TAGS%
:loop
echo ===== %date% %time% ===== >> "%LOG%"
poolmon -b -r %TAGS% -n "%LOG%"
timeout /t %SECONDS% /nobreak > nul
goto loop
