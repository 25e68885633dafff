@echo off
rem GradLab launcher for Windows (cmd.exe / PowerShell): the same as ./gradlab. Builds the project on
rem first use (and when bench\target\classpath.txt is missing), then runs the command line.
rem Needs only a JDK 17+ on PATH; the Maven Wrapper brings Maven.
rem   gradlab.cmd challenge      run all 25 experiments
rem   gradlab.cmd --help         every subcommand
rem   set GRADLAB_REBUILD=1      force a rebuild (sources changed)
setlocal EnableDelayedExpansion
set "ROOT=%~dp0"
if "%ROOT:~-1%"=="\" set "ROOT=%ROOT:~0,-1%"
set "CP_FILE=%ROOT%\bench\target\classpath.txt"

where java >nul 2>nul
if errorlevel 1 (
  echo gradlab: no 'java' on PATH: install a JDK 17 or newer 1>&2
  exit /b 1
)

set "NEEDS_BUILD="
if not exist "%CP_FILE%" set NEEDS_BUILD=1
if defined GRADLAB_REBUILD set NEEDS_BUILD=1
if defined NEEDS_BUILD (
  echo gradlab: building ^(first use or GRADLAB_REBUILD; log in bench\target\build.log^)... 1>&2
  if not exist "%ROOT%\bench\target" mkdir "%ROOT%\bench\target"
  call "%ROOT%\mvnw.cmd" -f "%ROOT%\pom.xml" -pl bench -am -q -B -ntp -DskipTests -Dmaven.source.skip -Dmaven.javadoc.skip package dependency:build-classpath ^
    -Dmdep.outputFile=target/classpath.txt -DincludeScope=runtime > "%ROOT%\bench\target\build.log" 2>&1
  if errorlevel 1 (
    type "%ROOT%\bench\target\build.log" 1>&2
    echo gradlab: build failed 1>&2
    exit /b 1
  )
)

rem NOTE: "for /f" reads the one-line class path whole ("set /p" stops at 1,023 characters); it goes
rem to java through CLASSPATH so the command line stays short.
set "DEPS="
for /f "usebackq delims=" %%L in ("%CP_FILE%") do set "DEPS=%%L"
set "CLASSPATH=%ROOT%\bench\target\classes;%ROOT%\challenge\target\classes;%ROOT%\nn\target\classes;%ROOT%\engine\target\classes;%ROOT%\native\target\classes;!DEPS!"
if not defined GRADLAB_JAVA_OPTS set "GRADLAB_JAVA_OPTS=-Xmx8g -Xms64m -XX:+UseSerialGC -Xmn32m"
java %GRADLAB_JAVA_OPTS% %GRADLAB_JAVA_EXTRA% --add-modules jdk.incubator.vector -Djava.awt.headless=true -Dgradlab.root="%ROOT%" org.gradlab.challenge.cli.GradLab %*
exit /b %ERRORLEVEL%
