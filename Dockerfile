# Annotate in a container: build with the SDK, run on the ASP.NET runtime as a non-root user.
# Migrations are applied by the entrypoint before the app starts (the migrations program ships in migrate/).

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
RUN mkdir -p lib/bootstrap/css lib/bootstrap/js lib/signalr lib/chart.js lib/axe-core \
 && cp node_modules/bootstrap/dist/css/bootstrap.min.css lib/bootstrap/css/ \
 && cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js lib/bootstrap/js/ \
 && cp node_modules/@microsoft/signalr/dist/browser/signalr.min.js lib/signalr/ \
 && cp node_modules/chart.js/dist/chart.umd.min.js lib/chart.js/ \
 && cp node_modules/axe-core/axe.min.js lib/axe-core/

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json nuget.config Directory.Build.props Directory.Packages.props ./
COPY src/ src/
COPY migrations/ migrations/
COPY wwwroot/ wwwroot/
COPY --from=assets /src/lib/ wwwroot/lib/
RUN dotnet publish src/Annotate.Web/Annotate.Web.csproj -c Release -o /app \
 && dotnet publish migrations/Annotate.Migrations.csproj -c Release -o /app/migrate

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY samples/ ./samples/
RUN printf '#!/bin/sh\nset -e\ndotnet migrate/Annotate.Migrations.dll\nexec dotnet Annotate.Web.dll "$@"\n' > /app/entrypoint.sh \
 && chmod +x /app/entrypoint.sh \
 && mkdir -p /app/keys /app/exports && chown app /app/keys /app/exports
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    Annotate__KeysPath=/app/keys \
    Exports__Folder=/app/exports \
    Annotate__SamplesPath=/app/samples
EXPOSE 8080
ENTRYPOINT ["/app/entrypoint.sh"]
